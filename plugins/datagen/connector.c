/* plugins/datagen/connector.c: DatagenConnector's config definitions, its cross-field
 * validation (one schema source, a template that compiles, a real key field) and task fan-out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datagen.h"
#include "quickstarts.h"

static int quickstart_valid(const sl_config_def *def, const char *value, char *errstr,
                            size_t errstr_size)
{
    (void)def;
    if (value == NULL || *value == '\0' || dg_quickstart_find(value) != NULL)
        return SL_OK;
    snprintf(errstr, errstr_size, "Unknown quickstart (known: users, pageviews, orders, trades)");
    return SL_ERR;
}

static const char *const quickstart_names[] = {"users", "pageviews", "orders", "trades", NULL};

/* The connector's keys, shared by the connector and task tables. */
#define DATAGEN_CONFIG_DEFS                                                                        \
    {.name = DG_TOPIC,                                                                             \
     .type = SL_CFG_STRING,                                                                        \
     .required = true,                                                                             \
     .importance = SL_IMPORTANCE_HIGH,                                                             \
     .doc = "Topic to write to",                                                                   \
     .group = "Datagen",                                                                           \
     .validator = SL_VALIDATE_NON_EMPTY},                                                          \
        {.name = DG_MAX_INTERVAL,                                                                  \
         .type = SL_CFG_LONG,                                                                      \
         .default_value = "500",                                                                   \
         .importance = SL_IMPORTANCE_HIGH,                                                         \
         .doc = "Max interval between messages (ms): each task waits a random time below it "      \
                "before each record; 0 generates as fast as possible",                             \
         .group = "Datagen",                                                                       \
         .validator = SL_VALIDATE_MIN(0)},                                                         \
        {.name = DG_ITERATIONS,                                                                    \
         .type = SL_CFG_LONG,                                                                      \
         .default_value = "-1",                                                                    \
         .importance = SL_IMPORTANCE_HIGH,                                                         \
         .doc = "Number of messages to send, in total across the connector's tasks (each task "    \
                "sends its share), or less than 1 for unlimited",                                  \
         .group = "Datagen"},                                                                      \
        {.name = DG_SCHEMA_STRING,                                                                 \
         .type = SL_CFG_STRING,                                                                    \
         .default_value = "",                                                                      \
         .importance = SL_IMPORTANCE_HIGH,                                                         \
         .doc = "The literal JSON-encoded Avro schema to use, with arg.properties annotations. "   \
                "Cannot be set with schema.filename or quickstart",                                \
         .group = "Schema"},                                                                       \
        {.name = DG_SCHEMA_FILENAME,                                                               \
         .type = SL_CFG_STRING,                                                                    \
         .default_value = "",                                                                      \
         .importance = SL_IMPORTANCE_HIGH,                                                         \
         .doc = "Filename of schema to use. Cannot be set with schema.string or quickstart",       \
         .group = "Schema"},                                                                       \
        {.name = DG_KEYFIELD,                                                                      \
         .type = SL_CFG_STRING,                                                                    \
         .default_value = "",                                                                      \
         .importance = SL_IMPORTANCE_HIGH,                                                         \
         .doc = "Name of the top-level field to use as the message key (as a string); empty "      \
                "means no key (quickstarts have their own default)",                               \
         .group = "Schema"},                                                                       \
        {.name = DG_QUICKSTART,                                                                    \
         .type = SL_CFG_STRING,                                                                    \
         .default_value = "",                                                                      \
         .importance = SL_IMPORTANCE_HIGH,                                                         \
         .doc =                                                                                    \
             "Name of quickstart to use: users, pageviews, orders, or trades (a Debezium-style "   \
             "change event stream). Cannot be set with schema.string or schema.filename",          \
         .group = "Schema",                                                                        \
         .validator = SL_VALIDATE_CUSTOM(quickstart_valid),                                        \
         .recommended = quickstart_names},                                                         \
    {                                                                                              \
        .name = DG_RANDOM_SEED, .type = SL_CFG_LONG, .importance = SL_IMPORTANCE_LOW,              \
        .doc = "Numeric seed for generating random data. Two connectors started with the same "    \
               "seed will deterministically produce the same data. Each task will generate "       \
               "different data than the other tasks in the same connector.",                       \
        .group = "Datagen"                                                                         \
    }

static const sl_config_def connector_config[] = {
    DATAGEN_CONFIG_DEFS,
    SL_CONFIG_END,
};

const sl_config_def datagen_task_config[] = {
    DATAGEN_CONFIG_DEFS,
    {.name = DG_TASK_ID,
     .type = SL_CFG_INT,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The task's index (set by the connector)",
     .validator = SL_VALIDATE_MIN(0)},
    {.name = DG_TASK_COUNT,
     .type = SL_CFG_INT,
     .default_value = "1",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "How many tasks share the iterations (set by the connector)",
     .validator = SL_VALIDATE_MIN(1)},
    SL_CONFIG_END,
};

static bool set(const char *s)
{
    return s != NULL && *s != '\0';
}

/* As Confluent's DatagenConnector.validate: exactly one schema source; then (ours) the source
 * must compile and schema.keyfield must name one of its fields. */
static void datagen_validate(sl_validation *v)
{
    const sl_config *c = sl_validation_config(v);
    const sl_props *raw = sl_config_originals(c);
    static const char *const sources[] = {DG_SCHEMA_STRING, DG_SCHEMA_FILENAME, DG_QUICKSTART};
    int n = 0, given = 0;
    for (size_t i = 0; i < 3; i++) {
        n += set(sl_config_string(c, sources[i]));
        given += set(sl_props_get(raw, sources[i]));
    }
    /* A source that failed its own validator (an unknown quickstart) already has an error
     * saying what is wrong; one is enough. */
    const char *qs = sl_config_string(c, DG_QUICKSTART);
    if (n != given || (set(qs) && dg_quickstart_find(qs) == NULL))
        return;
    if (n != 1) {
        for (size_t i = 0; i < 3; i++)
            if (n == 0 || set(sl_config_string(c, sources[i])))
                sl_validation_error(
                    v, sources[i],
                    "Must set exactly one of schema.string, schema.filename, quickstart");
        return;
    }
    dg_generator g;
    const char *bad = DG_QUICKSTART;
    char err[1024] = "";
    if (dg_generator_open(c, &g, &bad, err, sizeof(err)) != SL_OK) {
        sl_validation_error(v, bad, err);
        return;
    }
    dg_generator_close(&g);
}

static int datagen_start(const sl_config *config, sl_connector_ctx *ctx, void **state, char *errstr,
                         size_t errstr_size)
{
    (void)ctx;
    /* Fail here, with the reason as the connector's trace, rather than in every task. */
    dg_generator g;
    const char *bad = DG_QUICKSTART;
    char err[1024] = "";
    if (dg_generator_open(config, &g, &bad, err, sizeof(err)) != SL_OK) {
        snprintf(errstr, errstr_size, "Invalid value for configuration %s: %s", bad, err);
        return SL_ERR;
    }
    dg_generator_close(&g);
    sl_props *props = sl_props_copy(sl_config_originals(config));
    if (props == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *state = props;
    return SL_OK;
}

/* Confluent's taskConfigs (its config plus task.id), plus task.count so each task can work
 * out its share of `iterations` and its slice of iteration numbers and keys. */
static int datagen_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                                size_t errstr_size)
{
    char count[16];
    snprintf(count, sizeof(count), "%d", max_tasks);
    for (int i = 0; i < max_tasks; i++) {
        out[i] = sl_props_copy(state);
        if (out[i] == NULL) {
            for (int j = 0; j < i; j++)
                sl_props_destroy(out[j]);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        char id[16];
        snprintf(id, sizeof(id), "%d", i);
        sl_props_set(out[i], DG_TASK_ID, id);
        sl_props_set(out[i], DG_TASK_COUNT, count);
    }
    return max_tasks < 0 ? 0 : max_tasks;
}

static void datagen_stop(void *state)
{
    sl_props_destroy(state);
}

int64_t datagen_share(int64_t iterations, int task, int tasks)
{
    if (iterations < 1)
        return -1;
    if (tasks < 1 || task < 0 || task >= tasks)
        return 0;
    return iterations / tasks + (task < iterations % tasks ? 1 : 0);
}

const sl_connector_def datagen_connector_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = DATAGEN_CLASS,
    .version = DATAGEN_PLUGIN_VERSION,
    .kind = SL_CONNECTOR_SOURCE,
    .doc = "Generates mock data for development and testing, as Confluent's "
           "kafka-connect-datagen: quickstarts (users, pageviews, orders, and trades as a "
           "Debezium-style change stream) or a user's Avro-like template with arg.properties "
           "annotations, with Connect schemas, reproducible with random.seed.",
    .config = connector_config,
    .validate = datagen_validate,
    .start = datagen_start,
    .task_configs = datagen_task_configs,
    .stop = datagen_stop,
    .task_config = datagen_task_config,
    .task_start = datagen_task_start,
    .task_stop = datagen_task_stop,
    .poll = datagen_task_poll,
};
