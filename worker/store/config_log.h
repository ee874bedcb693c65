/* store/config_log.h: the config topic (Connect's KafkaConfigBackingStore): record codecs, the
 * in-memory snapshot rebuilt from the topic, and the writers for every record type. */
#ifndef SLUICE_STORE_CONFIG_LOG_H
#define SLUICE_STORE_CONFIG_LOG_H

#include <sluice/sdk.h>
#include <stdint.h>

#include "herder/herder.h" /* target_state */

/* ---- record codecs (reference §2.1), pure functions, any thread ---- */

typedef enum config_rec_kind {
    CONFIG_REC_UNKNOWN = 0,
    CONFIG_REC_TARGET_STATE, /* target-state-<name> */
    CONFIG_REC_CONNECTOR,    /* connector-<name> */
    CONFIG_REC_TASK,         /* task-<name>-<n> */
    CONFIG_REC_COMMIT,       /* commit-<name> */
    CONFIG_REC_RESTART,      /* restart-connector-<name> */
    CONFIG_REC_FENCING,      /* tasks-fencing-<name> */
    CONFIG_REC_SESSION_KEY,  /* session-key */
    CONFIG_REC_LOGGER,       /* logger-cluster-<namespace> */
} config_rec_kind;

/* A decoded record. Strings and props are owned by the record (config_record_fini). */
typedef struct config_record {
    config_rec_kind kind;
    char *name;       /* connector name or logger namespace; NULL for session-key */
    int task;         /* TASK: the task id */
    bool tombstone;   /* null value */
    sl_props *props;  /* CONNECTOR, TASK */
    int count;        /* COMMIT: tasks; FENCING: task-count */
    target_state state;
    bool include_tasks, only_failed; /* RESTART */
    char *key_b64;    /* SESSION_KEY: base64 key as written */
    char *algorithm;  /* SESSION_KEY */
    int64_t creation_ts; /* SESSION_KEY: epoch ms */
    char *level;      /* LOGGER */
} config_record;

/* Decode one record. `key`/`value` (value NULL = tombstone) are borrowed. On SL_OK *out is
 * filled (kind CONFIG_REC_UNKNOWN for keys Connect does not know: the caller logs and
 * discards them). SL_ERR + errstr when the key is known but the value is malformed (not
 * JSON, wrong shape, wrong types, bad task id); *out is then empty. */
int config_record_parse(const char *key, size_t key_len, const char *value, size_t value_len,
                        config_record *out, char *errstr, size_t errstr_size);
void config_record_fini(config_record *r);

/* Encoders. Each returns SL_OK and fills *key and *value with malloc'd NUL-terminated strings
 * the caller frees (*value NULL for a tombstone), or SL_ERR (out of memory, or a name or
 * property that is not valid UTF-8). Values are Connect's compact JSON, fields in Connect's
 * order. `props` NULL writes a tombstone. Arguments are borrowed. */
int config_encode_connector(const char *name, const sl_props *props, char **key, char **value);
int config_encode_task(const char *name, int task, const sl_props *props, char **key,
                       char **value);
int config_encode_commit(const char *name, int tasks, char **key, char **value);
/* `tombstone` true ignores `state`. STOPPED writes the legacy "state" as PAUSED. */
int config_encode_target_state(const char *name, target_state state, bool tombstone,
                               char **key, char **value);
int config_encode_restart(const char *name, bool include_tasks, bool only_failed, char **key,
                          char **value);
int config_encode_fencing(const char *name, int task_count, char **key, char **value);
int config_encode_session_key(const char *key_b64, const char *algorithm, int64_t creation_ts,
                              char **key, char **value);
int config_encode_logger(const char *ns, const char *level, char **key, char **value);

/* "STARTED", "PAUSED", "STOPPED". */
const char *config_target_state_name(target_state s);

/* ---- snapshot (Connect's ClusterConfigState) ---- */

typedef struct config_connector {
    char *name;
    sl_props *props;     /* raw config, placeholders unresolved */
    target_state target; /* STARTED when no target-state record exists */
    int task_count;      /* committed task count; -1 when no commit was read */
    sl_props **tasks;    /* task_count entries, each owned; NULL when inconsistent or 0 */
    bool inconsistent;   /* the last commit did not match the buffered task configs */
} config_connector;

typedef struct config_snapshot {
    int64_t offset; /* one past the last record consumed (the group protocol's config offset) */
    size_t n;
    config_connector *connectors; /* sorted by name; only connectors with a config */
    bool has_session_key;
    char *session_key_b64, *session_algorithm;
    int64_t session_creation_ts;
} config_snapshot;

/* Free a snapshot and everything in it. NULL-safe. */
void config_snapshot_free(config_snapshot *s);
/* The connector named `name`, or NULL. Borrowed from `s`. */
const config_connector *config_snapshot_find(const config_snapshot *s, const char *name);

/* ---- the store ---- */

typedef struct config_log config_log;

/* Change notifications, all optional (NULL members are skipped), all called on the log's
 * consumer thread after the record was applied, and only once kafka_log start-up finished
 * (as Connect's `started` flag: records read during start-up only build the snapshot, and
 * restart requests and logger levels read then are ignored). Arguments are borrowed for the
 * call; take a snapshot (config_log_snapshot) to read the state. Callbacks must not call
 * config_log writers or config_log_read_to_end (they would wait for this thread). */
typedef struct config_log_listener {
    void *opaque;
    void (*connector_config)(void *opaque, const char *name, bool removed);
    void (*task_configs)(void *opaque, const char *name); /* a commit applied (or inconsistent) */
    void (*target_state)(void *opaque, const char *name, target_state state);
    void (*restart)(void *opaque, const char *name, bool include_tasks, bool only_failed);
    void (*session_key)(void *opaque);
    void (*logger_level)(void *opaque, const char *ns, const char *level);
} config_log_listener;

/* Ensure the topic (config.storage.topic; one partition, compact), read it to its end and
 * keep tailing it. `worker` and `listener` are borrowed for the call (copied). Caller owns the
 * result (config_log_destroy). NULL + errstr on failure. Call from the herder's thread. */
config_log *config_log_open(const sl_props *worker, const config_log_listener *listener,
                            char *errstr, size_t errstr_size);
void config_log_destroy(config_log *cl);

/* A deep copy of the current state. Caller owns it (config_snapshot_free). Any thread. */
config_snapshot *config_log_snapshot(config_log *cl);
/* One past the last record consumed. Any thread. */
int64_t config_log_offset(config_log *cl);
/* Read the topic to its end (Connect's refresh before acting as leader). Any thread but the
 * consumer thread. */
int config_log_read_to_end(config_log *cl, int timeout_ms, char *errstr, size_t errstr_size);

/* Writers. Each writes with acknowledgement and then reads the topic to its end, within 30 s
 * (Connect's READ_WRITE_TOTAL_TIMEOUT_MS), so that on SL_OK the snapshot already reflects the
 * write. Arguments borrowed. Any thread but the consumer thread. SL_ERR + errstr on failure. */
int config_log_put_connector(config_log *cl, const char *name, const sl_props *props,
                             char *errstr, size_t errstr_size);
/* Tombstones the connector config and its target state (Connect's removeConnectorConfig). */
int config_log_remove_connector(config_log *cl, const char *name, char *errstr,
                                size_t errstr_size);
/* Writes every task-<name>-<i> record, reads to the end, writes commit-<name> {"tasks":n},
 * reads to the end (reference §8.5). n may be 0. */
int config_log_put_task_configs(config_log *cl, const char *name, sl_props *const *tasks,
                                int n, char *errstr, size_t errstr_size);
int config_log_put_target_state(config_log *cl, const char *name, target_state state,
                                char *errstr, size_t errstr_size);
int config_log_put_restart(config_log *cl, const char *name, bool include_tasks,
                           bool only_failed, char *errstr, size_t errstr_size);
int config_log_put_session_key(config_log *cl, const char *key_b64, const char *algorithm,
                               int64_t creation_ts, char *errstr, size_t errstr_size);
int config_log_put_logger_level(config_log *cl, const char *ns, const char *level,
                                char *errstr, size_t errstr_size);

/* ---- the state machine alone (for tests and the store itself) ---- */

typedef struct config_state config_state;
/* Empty state; caller owns it (config_state_free). `listener` borrowed for the call. Not
 * thread-safe by itself (config_log guards it). */
config_state *config_state_new(const config_log_listener *listener);
void config_state_free(config_state *st);
/* Apply one topic record at `offset` (parsing as config_record_parse; malformed and unknown
 * records are logged and skipped). `notify` false suppresses listener calls and ignores
 * restart and logger records (start-up). Borrowed arguments. */
void config_state_apply(config_state *st, int64_t offset, const char *key, size_t key_len,
                        const char *value, size_t value_len, bool notify);
/* One past the offset of the last record applied (0 before any). */
int64_t config_state_offset(const config_state *st);
/* Deep copy as a snapshot; NULL on out of memory. Caller owns. */
config_snapshot *config_state_snapshot(const config_state *st);

#endif
