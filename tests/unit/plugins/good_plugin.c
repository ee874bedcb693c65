/* tests/unit/plugins/good_plugin.c: a well-formed test plugin (a sink connector, a transform and
 * a header-capable converter) whose callbacks call back into the host through the table. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sdk.h>

typedef struct good_sink {
    int puts;
} good_sink;

static int sink_start(const sl_config *config, sl_connector_ctx *ctx, void **state, char *errstr,
                      size_t errstr_size)
{
    (void)config, (void)ctx, (void)errstr, (void)errstr_size;
    sl_log(SL_LOG_INFO, "good sink starting");
    *state = calloc(1, sizeof(good_sink));
    return *state ? SL_OK : SL_ERR;
}

static int sink_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                             size_t errstr_size)
{
    (void)state;
    int n = max_tasks < 2 ? max_tasks : 2;
    for (int i = 0; i < n; i++) {
        char idx[16];
        snprintf(idx, sizeof(idx), "%d", i);
        out[i] = sl_props_new();
        if (out[i] == NULL) {
            snprintf(errstr, errstr_size, "sl_props_new failed");
            return SL_ERR;
        }
        sl_props_set(out[i], "task.index", idx);
        sl_props_set(out[i], "greeting", "hello");
    }
    return n;
}

static void sink_stop(void *state) { free(state); }

static int sink_task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                           size_t errstr_size)
{
    (void)ctx, (void)errstr, (void)errstr_size;
    const char *greeting = sl_props_get(sl_config_originals(config), "greeting");
    sl_log(SL_LOG_INFO, "good sink task says %s", greeting ? greeting : "(nothing)");
    *task = calloc(1, sizeof(good_sink));
    return *task ? SL_OK : SL_ERR;
}

static void sink_task_stop(void *task) { free(task); }

static int sink_put(void *task, sl_record *const *records, size_t n, char *errstr,
                    size_t errstr_size)
{
    (void)records, (void)errstr, (void)errstr_size;
    ((good_sink *)task)->puts += (int)n;
    return SL_OK;
}

static const sl_config_def sink_config[] = {
    {.name = "greeting", .type = SL_CFG_STRING, .default_value = "hi", .doc = "What to say."},
    SL_CONFIG_END,
};

static const sl_connector_def good_sink_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "com.example.test.GoodSinkConnector",
    .version = "1.2.3",
    .kind = SL_CONNECTOR_SINK,
    .doc = "A sink that counts records.",
    .config = sink_config,
    .start = sink_start,
    .task_configs = sink_task_configs,
    .stop = sink_stop,
    .task_start = sink_task_start,
    .task_stop = sink_task_stop,
    .put = sink_put,
};

/* Shout$Value: uppercases a string value. */
static int shout_init(const sl_config *config, void **state, char *errstr, size_t errstr_size)
{
    (void)config, (void)errstr, (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int shout_apply(void *state, sl_record *record, char *errstr, size_t errstr_size)
{
    (void)state;
    sl_schema *schema = NULL;
    sl_value *value = NULL;
    sl_record_take_value(record, &schema, &value);
    size_t len = 0;
    const char *s = sl_value_get_string(value, &len);
    if (s == NULL) {
        sl_record_set_value(record, schema, value);
        snprintf(errstr, errstr_size, "Shout$Value needs a string value");
        return SL_ERR;
    }
    char *up = malloc(len + 1);
    if (up == NULL) {
        sl_record_set_value(record, schema, value);
        return SL_ERR;
    }
    for (size_t i = 0; i < len; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    sl_value *shouted = sl_value_new_string(up, len);
    free(up);
    sl_value_destroy(value);
    sl_record_set_value(record, schema, shouted);
    return SL_OK;
}

static const sl_transform_def shout_def = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "com.example.test.Shout$Value",
    .version = "1.2.3",
    .doc = "Uppercases string values.",
    .init = shout_init,
    .apply = shout_apply,
};

/* A converter also usable as a header converter, to check it is listed under both kinds. */
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
    (void)state, (void)topic, (void)header_key, (void)errstr, (void)errstr_size;
    *schema = NULL;
    *value = data ? sl_value_new_string(data, len) : NULL;
    return SL_OK;
}

static const sl_converter_def good_converter_def = {
    .struct_size = sizeof(sl_converter_def),
    .class_name = "com.example.test.PlainConverter",
    .header_converter = true,
    .init = conv_init,
    .from_value = conv_from,
    .to_value = conv_to,
};

static int good_init(char *errstr, size_t errstr_size)
{
    (void)errstr, (void)errstr_size;
    sl_log(SL_LOG_INFO, "good plugin init");
    return SL_OK;
}

static void good_fini(void) { sl_log(SL_LOG_INFO, "good plugin fini"); }

static const sl_connector_def *const connectors[] = {&good_sink_def, NULL};
static const sl_transform_def *const transforms[] = {&shout_def, NULL};
static const sl_converter_def *const converters[] = {&good_converter_def, NULL};

SL_PLUGIN(.name = "good-plugin", .version = "1.2.3", .description = "Test plugin.",
          .connectors = connectors, .transforms = transforms, .converters = converters,
          .init = good_init, .fini = good_fini);
