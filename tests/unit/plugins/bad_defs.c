/* tests/unit/plugins/bad_defs.c: a plugin whose lists hold malformed definitions (missing
 * callbacks, no class name, a bogus struct_size) next to one good predicate: the bad ones are
 * skipped with a warning each, the good one loads. */
#include <sluice/sdk.h>

static int pred_init(const sl_config *config, void **state, char *errstr, size_t errstr_size)
{
    (void)config, (void)errstr, (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int pred_test(void *state, const sl_record *record)
{
    (void)state, (void)record;
    return 1;
}

static const sl_predicate_def always_def = {
    .struct_size = sizeof(sl_predicate_def),
    .class_name = "com.example.test.AlwaysPredicate",
    .init = pred_init,
    .test = pred_test,
};

static const sl_predicate_def tiny_def = {
    .struct_size = 3,
    .class_name = "com.example.test.TinyPredicate",
    .init = pred_init,
    .test = pred_test,
};

static const sl_predicate_def nameless_def = {
    .struct_size = sizeof(sl_predicate_def),
    .init = pred_init,
    .test = pred_test,
};

/* A sink without put or task_start. */
static const sl_connector_def halfdone_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "com.example.test.HalfDoneConnector",
    .kind = SL_CONNECTOR_SINK,
};

/* A transform without apply. */
static const sl_transform_def noapply_def = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "com.example.test.NoApply",
    .init = pred_init,
};

static const sl_connector_def *const connectors[] = {&halfdone_def, NULL};
static const sl_transform_def *const transforms[] = {&noapply_def, NULL};
static const sl_predicate_def *const predicates[] = {&tiny_def, &nameless_def, &always_def, NULL};

SL_PLUGIN(.name = "bad-defs", .version = "0.0.1", .connectors = connectors,
          .transforms = transforms, .predicates = predicates);
