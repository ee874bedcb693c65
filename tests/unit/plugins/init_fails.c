/* tests/unit/plugins/init_fails.c: a plugin whose manifest init returns SL_ERR; the loader must
 * report "init failed: <reason>" and register none of its classes. */
#include <stdio.h>

#include <sluice/sdk.h>

static int noop_init(const sl_config *config, void **state, char *errstr, size_t errstr_size)
{
    (void)config, (void)errstr, (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int noop_apply(void *state, sl_record *record, char *errstr, size_t errstr_size)
{
    (void)state, (void)record, (void)errstr, (void)errstr_size;
    return SL_OK;
}

static const sl_transform_def never_def = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "com.example.test.NeverRegistered",
    .init = noop_init,
    .apply = noop_apply,
};

static int failing_init(char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "database driver missing");
    return SL_ERR;
}

static const sl_transform_def *const transforms[] = {&never_def, NULL};

SL_PLUGIN(.name = "init-fails", .version = "0.1", .transforms = transforms,
          .init = failing_init);
