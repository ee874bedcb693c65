/* plugins/datagen/datagen.h: what the datagen plugin's sources share: the connector definition,
 * its config key names, and the task-config keys the connector adds. Internal (hidden). */
#ifndef SLUICE_PLUGINS_DATAGEN_DATAGEN_H
#define SLUICE_PLUGINS_DATAGEN_DATAGEN_H

#include <sluice/sdk.h>
#include <stdbool.h>
#include <stdint.h>

#define DATAGEN_PLUGIN_VERSION "1.0.0"
#define DATAGEN_CLASS "io.sluice.connect.datagen.DatagenConnector"

/* Connector config keys, as Confluent's kafka-connect-datagen names them. */
#define DG_TOPIC "kafka.topic"
#define DG_QUICKSTART "quickstart"
#define DG_SCHEMA_STRING "schema.string"
#define DG_SCHEMA_FILENAME "schema.filename"
#define DG_KEYFIELD "schema.keyfield"
#define DG_MAX_INTERVAL "max.interval"
#define DG_ITERATIONS "iterations"
#define DG_RANDOM_SEED "random.seed"
/* Task config keys the connector adds: the task's index (Confluent's name) and how many
 * tasks share the iterations. */
#define DG_TASK_ID "task.id"
#define DG_TASK_COUNT "task.count"

/* io.sluice.connect.datagen.DatagenConnector (connector.c, task.c). */
extern const sl_connector_def datagen_connector_def;

/* Task config definitions (connector.c): the connector's keys plus task.id and task.count. */
extern const sl_config_def datagen_task_config[];

/* Task callbacks (task.c). Called by the host on the task's thread only. */
int datagen_task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                       size_t errstr_size);
int datagen_task_poll(void *task, sl_task_ctx *ctx, char *errstr, size_t errstr_size);
void datagen_task_stop(void *task);

struct dg_template;
struct dg_trades;

/* What a connector's config generates: a compiled template (quickstart users, pageviews or
 * orders, schema.string or schema.filename) or the trades stream. */
typedef struct dg_generator {
    struct dg_template *tmpl; /* owned; NULL for trades */
    struct dg_trades *trades; /* owned; NULL for templates */
    int key_index;            /* template: top-level field that becomes the key, or -1 */
    char what[300];           /* "quickstart users", "schema.string", "schema file /x.avsc" */
} dg_generator;

/* Set up *g from a parsed connector or task config (borrowed for the call): checks that
 * exactly one of quickstart, schema.string and schema.filename is set, compiles the template,
 * resolves schema.keyfield. On SL_ERR, *bad_key names the key at fault (for validation
 * messages) and errstr says why; *g needs no cleanup then. Any thread (no shared state). */
int dg_generator_open(const sl_config *c, dg_generator *g, const char **bad_key, char *errstr,
                      size_t errstr_size);

/* Free what dg_generator_open built. A zeroed generator is accepted. */
void dg_generator_close(dg_generator *g);

/* Records task `task` of `tasks` generates out of `iterations` (below 1: unlimited, -1
 * returned): an even split, the first tasks taking one more when it does not divide. */
int64_t datagen_share(int64_t iterations, int task, int tasks);

#endif
