/* sluice/connector.h: what a plugin provides (connectors and their tasks, transforms,
 * predicates, converters) and the context calls a running instance makes back to the host.
 * Part of the Sluice plugin SDK; include <sluice/sdk.h> rather than this file.
 *
 * Every definition struct is static data owned by the plugin, starts with `struct_size`
 * (set it with sizeof, or use the SL_*_DEF_INIT macros), and must outlive the plugin's use.
 * Callbacks marked optional may be NULL. Callbacks return SL_OK or a negative code and on
 * failure fill `errstr` (at most `errstr_size` bytes, NUL-terminated) with a reason a person
 * can read; the host shows it as the instance's `trace`. */
#ifndef SLUICE_CONNECTOR_H
#define SLUICE_CONNECTOR_H

#include "config.h"
#include "types.h"

typedef enum sl_connector_kind {
    SL_CONNECTOR_SOURCE = 1,
    SL_CONNECTOR_SINK = 2,
} sl_connector_kind;

/* A connector class and its task class.
 *
 * Thread rules: the connector callbacks (start, task_configs, stop) run on one connector
 * thread, never concurrently. Each task instance runs on its own thread: every task callback
 * for one instance is called from that thread only, so a task needs no locking of its own
 * state. Different task instances of one connector run concurrently. */
typedef struct sl_connector_def {
    uint32_t struct_size;
    /* Fully qualified class name, e.g. "org.apache.kafka.connect.file.FileStreamSinkConnector".
     * The host also resolves the simple name and the simple name without "Connector". */
    const char *class_name;
    const char *version; /* NULL = "undefined" (omitted from REST output) */
    sl_connector_kind kind;
    const char *doc;
    /* Connector configuration keys, terminated by SL_CONFIG_END (may be NULL). */
    const sl_config_def *config;
    /* Optional cross-field validation after per-key validation; report with
     * sl_validation_error(). Runs on a REST thread: no shared mutable state. */
    void (*validate)(sl_validation *v);

    /* ---- connector instance ---- */
    /* Start the connector with its validated config (borrowed, valid until stop returns).
     * Store any state in *state. */
    int (*start)(const sl_config *config, sl_connector_ctx *ctx, void **state, char *errstr,
                 size_t errstr_size);
    /* Produce at most `max_tasks` task configs into out[0..n-1] and return n (>= 0), or a
     * negative code. The host takes ownership of each sl_props placed in `out`. */
    int (*task_configs)(void *state, int max_tasks, sl_props **out, char *errstr,
                        size_t errstr_size);
    /* Stop the connector and free `state`. Optional. */
    void (*stop)(void *state);

    /* ---- task instance (both kinds) ---- */
    /* Task configuration keys (optional): task configs are parsed with them. */
    const sl_config_def *task_config;
    /* Start a task with one of the configs task_configs produced (borrowed until stop). */
    int (*task_start)(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                      size_t errstr_size);
    /* Stop the task and free its state. Called on the task thread after the last poll/put,
     * and after a final flush for sinks. Optional. */
    void (*task_stop)(void *task);

    /* ---- source tasks ---- */
    /* Emit records with sl_task_emit() and return how many were emitted (0 when idle), or a
     * negative code. Should not block for more than about a second; check
     * sl_task_stopping() in long waits. */
    int (*poll)(void *task, sl_task_ctx *ctx, char *errstr, size_t errstr_size);
    /* Optional: called after the source offsets of everything emitted so far were flushed. */
    void (*commit)(void *task);
    /* Optional: called when Kafka acknowledged a record (borrowed for the call). */
    void (*commit_record)(void *task, const sl_record *record);

    /* ---- sink tasks ---- */
    /* Optional: partitions assigned to this task (borrowed for the call). A sink that stores
     * offsets itself seeks here with sl_task_seek(). */
    int (*open)(void *task, const sl_tp_offset *partitions, size_t n, char *errstr,
                size_t errstr_size);
    /* Optional: partitions about to be taken away (flush what belongs to them). */
    int (*close)(void *task, const sl_tp_offset *partitions, size_t n, char *errstr,
                 size_t errstr_size);
    /* Deliver a batch. Records are borrowed for the call (sl_record_retain to keep one; a kept
     * record keeps its original bytes for sl_task_report until released, at the latest in
     * task_stop). SL_ERR_RETRIABLE: the host redelivers the same batch after a backoff. Bad
     * records can be reported with sl_task_report() and the rest of the batch written.
     * While no records arrive, the host calls put() with n == 0 at least every 500 ms (after
     * each empty poll), so a sink can act on its own timers there (time-based flushes and
     * rotations) without a thread of its own. */
    int (*put)(void *task, sl_record *const *records, size_t n, char *errstr,
               size_t errstr_size);
    /* Optional: make everything put so far durable. `offsets` are what the host would commit
     * (next offset per partition; borrowed). */
    int (*flush)(void *task, const sl_tp_offset *offsets, size_t n, char *errstr,
                 size_t errstr_size);
    /* Optional, replaces flush: may lower any offset in place, or set it to -1 to commit
     * nothing for that partition (for sinks that commit asynchronously or store offsets
     * themselves). */
    int (*pre_commit)(void *task, sl_tp_offset *offsets, size_t n, char *errstr,
                      size_t errstr_size);
} sl_connector_def;

/* A single message transform. Each task owns its own instances; all calls for one instance
 * come from that task's thread. */
typedef struct sl_transform_def {
    uint32_t struct_size;
    const char *class_name; /* e.g. "org.apache.kafka.connect.transforms.InsertField$Value" */
    const char *version;
    const char *doc;
    const sl_config_def *config;
    void (*validate)(sl_validation *v); /* optional */
    int (*init)(const sl_config *config, void **state, char *errstr, size_t errstr_size);
    /* Transform `record` in place. Return SL_OK to keep it, SL_DROP to drop it, or a negative
     * code (the task's errors.tolerance decides). `record` is borrowed. */
    int (*apply)(void *state, sl_record *record, char *errstr, size_t errstr_size);
    void (*close)(void *state); /* optional */
} sl_transform_def;

/* A predicate for conditional transforms (transforms.<a>.predicate). */
typedef struct sl_predicate_def {
    uint32_t struct_size;
    const char *class_name;
    const char *version;
    const char *doc;
    const sl_config_def *config;
    void (*validate)(sl_validation *v); /* optional */
    int (*init)(const sl_config *config, void **state, char *errstr, size_t errstr_size);
    /* 1 if the record matches, 0 if not. `record` is borrowed. */
    int (*test)(void *state, const sl_record *record);
    void (*close)(void *state); /* optional */
} sl_predicate_def;

/* Where a converter instance is used. */
typedef enum sl_converter_role {
    SL_CONVERTER_KEY = 1,
    SL_CONVERTER_VALUE = 2,
    SL_CONVERTER_HEADER = 3,
} sl_converter_role;

/* A converter between bytes and (schema, value). One instance per role per task; calls come
 * from that task's thread only. */
typedef struct sl_converter_def {
    uint32_t struct_size;
    const char *class_name; /* e.g. "org.apache.kafka.connect.json.JsonConverter" */
    const char *version;
    const char *doc;
    const sl_config_def *config;
    bool header_converter; /* also usable as header.converter */
    int (*init)(const sl_config *config, sl_converter_role role, void **state, char *errstr,
                size_t errstr_size);
    /* Serialize. Setting *out = NULL, *out_len = 0 produces a null (a tombstone); converters
     * normally do that for a null value (JsonConverter with a schema writes the envelope with
     * a null payload, as Connect's does). Caller frees *out with free(). `header_key` is the
     * header's name for SL_CONVERTER_HEADER, else NULL. */
    int (*from_value)(void *state, const char *topic, const char *header_key,
                      const sl_schema *schema, const sl_value *value, void **out,
                      size_t *out_len, char *errstr, size_t errstr_size);
    /* Deserialize `len` bytes (borrowed; `data` NULL = null). The caller owns *schema (may be
     * set to NULL: schemaless) and *value. */
    int (*to_value)(void *state, const char *topic, const char *header_key, const void *data,
                    size_t len, sl_schema **schema, sl_value **value, char *errstr,
                    size_t errstr_size);
    void (*close)(void *state); /* optional */
} sl_converter_def;

#define SL_CONTEXT_API(X)                                                                        \
    /* Log through the worker's logger, tagged with the calling connector or task. */           \
    X(void, sl_log, (sl_log_level level, const char *fmt, ...))                                  \
    X(void, sl_logv, (sl_log_level level, const char *fmt, va_list ap))                          \
    /* ---- connector context (any thread) ---- */                                               \
    X(const char *, sl_connector_name, (const sl_connector_ctx *ctx))                            \
    /* Ask the host to call task_configs() again and restart tasks if the configs changed. */   \
    X(void, sl_connector_request_reconfiguration, (sl_connector_ctx * ctx))                      \
    /* Report an unrecoverable error: the connector goes FAILED with `message` as its trace. */ \
    X(void, sl_connector_raise_error, (sl_connector_ctx * ctx, const char *message))             \
    /* ---- task context (the task's thread only) ---- */                                        \
    X(const char *, sl_task_connector_name, (const sl_task_ctx *ctx))                            \
    X(int, sl_task_id, (const sl_task_ctx *ctx))                                                 \
    /* True once the host wants the task to stop: return from poll/put promptly. */             \
    X(bool, sl_task_stopping, (const sl_task_ctx *ctx))                                          \
    /* Source: hand a record to the host, which takes it. Returns SL_OK, or SL_ERR if the      \
     * record was refused (the reason is logged; the record is freed). */                      \
    X(int, sl_task_emit, (sl_task_ctx * ctx, sl_record *record))                                 \
    /* Source: the last committed offset for a source partition (a MAP value, borrowed for    \
     * the call). Caller owns the result; NULL if none is stored. */                            \
    X(sl_value *, sl_task_offset, (sl_task_ctx * ctx, const sl_value *partition))                \
    /* Ask for offsets to be flushed (source) or committed (sink) soon. */                      \
    X(void, sl_task_request_commit, (sl_task_ctx * ctx))                                         \
    /* Sink: pause / resume consumption of one partition. */                                    \
    X(int, sl_task_pause, (sl_task_ctx * ctx, const char *topic, int32_t partition))             \
    X(int, sl_task_resume, (sl_task_ctx * ctx, const char *topic, int32_t partition))            \
    /* Sink: consume `partition` from `offset` next (Connect's SinkTaskContext.offset). */       \
    X(int, sl_task_seek, (sl_task_ctx * ctx, const char *topic, int32_t partition,               \
                          int64_t offset))                                                       \
    /* Sink: report a record the sink could not write (borrowed). Under errors.tolerance=all   \
     * the host logs it and sends it to the dead-letter queue and returns SL_OK; otherwise it  \
     * returns SL_ERR and put() should fail with the record's error. */                         \
    X(int, sl_task_report, (sl_task_ctx * ctx, const sl_record *record, const char *error))

#endif
