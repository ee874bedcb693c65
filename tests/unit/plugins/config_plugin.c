/* tests/unit/plugins/config_plugin.c: plugins with typed config tables and validate() callbacks
 * (a sink, a source, a transform, a predicate, a converter) for test_connector_validate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sdk.h>

/* ---- callbacks nobody calls in these tests ---- */

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

static int put(void *task, sl_record *const *records, size_t n, char *errstr, size_t errstr_size)
{
    (void)task, (void)records, (void)n, (void)errstr, (void)errstr_size;
    return SL_OK;
}

static int poll_fn(void *task, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    (void)task, (void)ctx, (void)errstr, (void)errstr_size;
    return 0;
}

/* ---- a sink with its own keys and a cross-field check ---- */

static const sl_config_def sink_config[] = {
    {.name = "path", .type = SL_CFG_STRING, .required = true, .importance = SL_IMPORTANCE_HIGH,
     .doc = "Where to write.", .group = "File", .width = SL_WIDTH_LONG, .display_name = "Path"},
    {.name = "batch.size", .type = SL_CFG_INT, .default_value = "100",
     .importance = SL_IMPORTANCE_MEDIUM, .doc = "Records per write.", .group = "File",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "password", .type = SL_CFG_PASSWORD, .importance = SL_IMPORTANCE_LOW,
     .doc = "A secret."},
    /* redefines a framework key: this definition wins (Connect's putAll) */
    {.name = "errors.retry.timeout", .type = SL_CFG_LONG, .default_value = "5",
     .importance = SL_IMPORTANCE_LOW, .doc = "Overridden.", .group = "File"},
    SL_CONFIG_END,
};

static void sink_validate(sl_validation *v)
{
    const sl_config *c = sl_validation_config(v);
    const char *path = sl_config_string(c, "path");
    if (path != NULL && strncmp(path, "/forbidden", 10) == 0)
        sl_validation_error(v, "path", "path is forbidden");
    if (sl_props_has(sl_config_originals(c), "mystery"))
        sl_validation_error(v, "mystery", "mystery is not a thing");
}

static const sl_connector_def checked_sink = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "com.example.config.CheckedSinkConnector",
    .version = "0.1",
    .kind = SL_CONNECTOR_SINK,
    .config = sink_config,
    .validate = sink_validate,
    .start = start,
    .task_configs = task_configs,
    .task_start = task_start,
    .put = put,
};

static const sl_config_def source_config[] = {
    {.name = "interval.ms", .type = SL_CFG_LONG, .default_value = "1000",
     .importance = SL_IMPORTANCE_HIGH, .doc = "Poll interval."},
    SL_CONFIG_END,
};

static const sl_connector_def checked_source = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "com.example.config.CheckedSourceConnector",
    .kind = SL_CONNECTOR_SOURCE,
    .config = source_config,
    .start = start,
    .task_configs = task_configs,
    .task_start = task_start,
    .poll = poll_fn,
};

/* ---- a transform and a predicate with keys ---- */

static const sl_config_def tag_config[] = {
    {.name = "tag", .type = SL_CFG_STRING, .required = true, .importance = SL_IMPORTANCE_HIGH,
     .doc = "The tag."},
    {.name = "level", .type = SL_CFG_INT, .default_value = "1", .importance = SL_IMPORTANCE_LOW,
     .validator = SL_VALIDATE_MIN(0), .doc = "Level."},
    SL_CONFIG_END,
};

static void tag_validate(sl_validation *v)
{
    const char *tag = sl_config_string(sl_validation_config(v), "tag");
    if (tag != NULL && strcmp(tag, "bad") == 0)
        sl_validation_error(v, "tag", "tag must not be bad");
}

static int tag_init(const sl_config *config, void **state, char *errstr, size_t errstr_size)
{
    (void)config, (void)errstr, (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int tag_apply(void *state, sl_record *record, char *errstr, size_t errstr_size)
{
    (void)state, (void)record, (void)errstr, (void)errstr_size;
    return SL_OK;
}

static const sl_transform_def tag_def = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "com.example.config.Tag$Value",
    .config = tag_config,
    .validate = tag_validate,
    .init = tag_init,
    .apply = tag_apply,
};

static const sl_config_def big_config[] = {
    {.name = "size", .type = SL_CFG_INT, .required = true, .importance = SL_IMPORTANCE_HIGH,
     .doc = "Threshold."},
    SL_CONFIG_END,
};

static int big_test(void *state, const sl_record *record)
{
    (void)state, (void)record;
    return 0;
}

static const sl_predicate_def big_def = {
    .struct_size = sizeof(sl_predicate_def),
    .class_name = "com.example.config.IsBig",
    .config = big_config,
    .init = tag_init,
    .test = big_test,
};

/* ---- a converter with keys (only a value/key converter) ---- */

static const sl_config_def conv_config[] = {
    {.name = "converter.type", .type = SL_CFG_STRING, .required = true,
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_IN("key", "value", "header"),
     .doc = "Role."},
    {.name = "strict", .type = SL_CFG_BOOLEAN, .default_value = "false",
     .importance = SL_IMPORTANCE_LOW, .doc = "Strictness.", .group = "Checks"},
    SL_CONFIG_END,
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

static const sl_converter_def checked_conv = {
    .struct_size = sizeof(sl_converter_def),
    .class_name = "com.example.config.CheckedConverter",
    .config = conv_config,
    .init = conv_init,
    .from_value = conv_from,
    .to_value = conv_to,
};

static const sl_connector_def *const connectors[] = {&checked_sink, &checked_source, NULL};
static const sl_transform_def *const transforms[] = {&tag_def, NULL};
static const sl_predicate_def *const predicates[] = {&big_def, NULL};
static const sl_converter_def *const converters[] = {&checked_conv, NULL};

SL_PLUGIN(.name = "config-plugin", .version = "0.1", .description = "Config test plugin.",
          .connectors = connectors, .transforms = transforms, .predicates = predicates,
          .converters = converters);
