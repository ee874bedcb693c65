/* plugins/fs/plugin.c: the fs plugin's entry point and connector definitions: FsSinkConnector
 * (and the same class under the HDFS 2 sink's name), written only against the public SDK. */
#include <stdio.h>

#include <sluice/sdk.h>

#include "fs.h"

static int connector_start(const sl_config *config, sl_connector_ctx *ctx, void **state,
                           char *errstr, size_t errstr_size)
{
    (void)ctx;
    /* Fail early (the connector goes FAILED with the reason) rather than in every task. */
    fs_conf *c = NULL;
    if (fs_conf_load(config, NULL, &c, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    fs_conf_free(c);
    sl_props *props = sl_props_copy(sl_config_originals(config));
    if (props == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *state = props;
    return SL_OK;
}

/* tasks.max identical configs: the consumer group spreads the partitions over the tasks, and
 * each partition's files and log belong to whichever task holds it. */
static int connector_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                                  size_t errstr_size)
{
    for (int i = 0; i < max_tasks; i++) {
        out[i] = sl_props_copy(state);
        if (out[i] == NULL) {
            for (int j = 0; j < i; j++)
                sl_props_destroy(out[j]);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
    }
    return max_tasks < 0 ? 0 : max_tasks;
}

static void connector_stop(void *state)
{
    sl_props_destroy(state);
}

#define FS_DEF_BODY                                                                                \
    .struct_size = sizeof(sl_connector_def), .version = FS_PLUGIN_VERSION,                         \
    .kind = SL_CONNECTOR_SINK, .config = fs_config_defs, .validate = fs_config_validate,           \
    .start = connector_start, .task_configs = connector_task_configs, .stop = connector_stop,      \
    .task_config = fs_config_defs, .task_start = fs_task_start, .task_stop = fs_task_stop,         \
    .open = fs_task_open, .close = fs_task_close, .put = fs_task_put,                              \
    .pre_commit = fs_task_pre_commit

const sl_connector_def fs_sink_def = {
    .class_name = FS_CLASS,
    .doc = "Writes topics to files on a local or mounted file system (JSON lines, CSV or Avro), "
           "partitioned by Kafka partition, field values or time, exactly once, with the "
           "Confluent HDFS 2 sink's layout and configuration.",
    FS_DEF_BODY,
};

/* The same connector under the HDFS 2 sink's class name, so existing configs (with store.url
 * or hdfs.url pointing at a mounted path) run unchanged. */
const sl_connector_def fs_hdfs_sink_def = {
    .class_name = FS_HDFS_CLASS,
    .doc = "FsSinkConnector under the Confluent HDFS 2 sink's class name: the same connector, "
           "for a local or mounted file system (hdfs:// URLs are refused).",
    FS_DEF_BODY,
};

static const sl_connector_def *const fs_connectors[] = {&fs_sink_def, &fs_hdfs_sink_def, NULL};

SL_PLUGIN(.name = "fs", .version = FS_PLUGIN_VERSION,
          .description = "File-system sink (Confluent HDFS 2 sink layout): JSON, CSV and Avro "
                         "files, Default/Field/TimeBased partitioners, exactly-once commits",
          .connectors = fs_connectors);
