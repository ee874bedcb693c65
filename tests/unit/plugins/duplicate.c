/* tests/unit/plugins/duplicate.c: re-registers good_plugin's sink class and the built-in
 * JsonConverter (both must be skipped with a warning naming both files), and adds a source
 * connector whose simple name collides with good_plugin's sink (an ambiguous alias). */
#include <stdio.h>

#include <sluice/sdk.h>

static int start(const sl_config *config, sl_connector_ctx *ctx, void **state, char *errstr,
                 size_t errstr_size)
{
    (void)config, (void)ctx, (void)errstr, (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                        size_t errstr_size)
{
    (void)state, (void)max_tasks, (void)out, (void)errstr, (void)errstr_size;
    return 0;
}

static int task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                      size_t errstr_size)
{
    (void)config, (void)ctx, (void)errstr, (void)errstr_size;
    *task = NULL;
    return SL_OK;
}

static int put(void *task, sl_record *const *records, size_t n, char *errstr,
               size_t errstr_size)
{
    (void)task, (void)records, (void)n, (void)errstr, (void)errstr_size;
    return SL_OK;
}

static int poll(void *task, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    (void)task, (void)ctx, (void)errstr, (void)errstr_size;
    return 0;
}

static const sl_connector_def dup_sink_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "com.example.test.GoodSinkConnector",
    .version = "9.9.9",
    .kind = SL_CONNECTOR_SINK,
    .start = start,
    .task_configs = task_configs,
    .task_start = task_start,
    .put = put,
};

static const sl_connector_def other_source_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "org.other.GoodSinkConnector",
    .version = "0.0.1",
    .kind = SL_CONNECTOR_SOURCE,
    .start = start,
    .task_configs = task_configs,
    .task_start = task_start,
    .poll = poll,
};

static int conv_init(const sl_config *config, sl_converter_role role, void **state,
                     char *errstr, size_t errstr_size)
{
    (void)config, (void)role, (void)errstr, (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int conv_from(void *state, const char *topic, const char *header_key,
                     const sl_schema *schema, const sl_value *value, void **out, size_t *out_len,
                     char *errstr, size_t errstr_size)
{
    (void)state, (void)topic, (void)header_key, (void)schema, (void)value;
    (void)errstr, (void)errstr_size;
    *out = NULL;
    *out_len = 0;
    return SL_OK;
}

static int conv_to(void *state, const char *topic, const char *header_key, const void *data,
                   size_t len, sl_schema **schema, sl_value **value, char *errstr,
                   size_t errstr_size)
{
    (void)state, (void)topic, (void)header_key, (void)data, (void)len;
    (void)errstr, (void)errstr_size;
    *schema = NULL;
    *value = NULL;
    return SL_OK;
}

static const sl_converter_def fake_json_def = {
    .struct_size = sizeof(sl_converter_def),
    .class_name = "org.apache.kafka.connect.json.JsonConverter",
    .init = conv_init,
    .from_value = conv_from,
    .to_value = conv_to,
};

static const sl_connector_def *const connectors[] = {&dup_sink_def, &other_source_def, NULL};
static const sl_converter_def *const converters[] = {&fake_json_def, NULL};

SL_PLUGIN(.name = "duplicate", .version = "9.9.9", .connectors = connectors,
          .converters = converters);
