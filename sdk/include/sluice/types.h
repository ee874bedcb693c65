/* sluice/types.h: ABI version, error codes and the opaque types shared by the whole SDK.
 * Part of the Sluice plugin SDK; include <sluice/sdk.h> rather than this file. */
#ifndef SLUICE_TYPES_H
#define SLUICE_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version. A plugin loads when its major equals the host's and its minor is not higher
 * (the host's function table only grows at its end, so an older plugin sees a prefix of it). */
#define SL_ABI_MAJOR 1
#define SL_ABI_MINOR 0

/* Return codes used across the SDK. Functions return SL_OK (0) on success and a negative
 * code on failure; where a person will read the reason, they fill a caller-provided errstr. */
#define SL_OK 0
#define SL_ERR (-1)           /* failure; the errstr says why */
#define SL_ERR_RETRIABLE (-2) /* transient failure: the host retries (errors.retry.*) */
#define SL_ERR_ABI (-3)       /* ABI mismatch between plugin and host */
#define SL_DROP 1             /* transform result: drop this record */

/* Log levels for sl_log(). */
typedef enum sl_log_level {
    SL_LOG_ERROR = 3,
    SL_LOG_WARN = 4,
    SL_LOG_INFO = 6,
    SL_LOG_DEBUG = 7,
    SL_LOG_TRACE = 8,
} sl_log_level;

/* Connect's schema types. */
typedef enum sl_type {
    SL_TYPE_INT8 = 0,
    SL_TYPE_INT16,
    SL_TYPE_INT32,
    SL_TYPE_INT64,
    SL_TYPE_FLOAT32,
    SL_TYPE_FLOAT64,
    SL_TYPE_BOOLEAN,
    SL_TYPE_STRING,
    SL_TYPE_BYTES,
    SL_TYPE_ARRAY,
    SL_TYPE_MAP,
    SL_TYPE_STRUCT,
} sl_type;

/* Connect's logical types, recognised by schema name. */
typedef enum sl_logical {
    SL_LOGICAL_NONE = 0,
    SL_LOGICAL_DECIMAL,   /* org.apache.kafka.connect.data.Decimal: BYTES, unscaled two's complement
                             big-endian, parameter "scale" */
    SL_LOGICAL_DATE,      /* org.apache.kafka.connect.data.Date: INT32 days since epoch */
    SL_LOGICAL_TIME,      /* org.apache.kafka.connect.data.Time: INT32 ms since midnight */
    SL_LOGICAL_TIMESTAMP, /* org.apache.kafka.connect.data.Timestamp: INT64 ms since epoch */
} sl_logical;

#define SL_DECIMAL_NAME "org.apache.kafka.connect.data.Decimal"
#define SL_DATE_NAME "org.apache.kafka.connect.data.Date"
#define SL_TIME_NAME "org.apache.kafka.connect.data.Time"
#define SL_TIMESTAMP_NAME "org.apache.kafka.connect.data.Timestamp"

/* Kafka record timestamp types. */
typedef enum sl_timestamp_type {
    SL_TS_NONE = 0,
    SL_TS_CREATE_TIME = 1,
    SL_TS_LOG_APPEND_TIME = 2,
} sl_timestamp_type;

/* A schema: refcounted, immutable once shared (see value.h). */
typedef struct sl_schema sl_schema;
/* A value: a tree owned by exactly one owner. A null value is a NULL pointer. */
typedef struct sl_value sl_value;
/* A record flowing through a task: see record.h. */
typedef struct sl_record sl_record;
/* An ordered string-to-string map: raw configs, task configs. */
typedef struct sl_props sl_props;
/* A parsed, typed configuration (raw properties plus their definitions). */
typedef struct sl_config sl_config;
/* Collects validation errors from a plugin's cross-field validate(). */
typedef struct sl_validation sl_validation;
/* The host side of a running connector instance. */
typedef struct sl_connector_ctx sl_connector_ctx;
/* The host side of a running task (source or sink). */
typedef struct sl_task_ctx sl_task_ctx;

/* A Kafka topic partition and an offset. Plain data; its layout never changes. For sink
 * commits the offset is the next offset to consume, as Kafka commits it. */
typedef struct sl_tp_offset {
    const char *topic;
    int32_t partition;
    int64_t offset;
} sl_tp_offset;

#ifdef __cplusplus
}
#endif
#endif
