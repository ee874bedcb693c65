/* sdk/examples/example_transform.c: a minimal single message transform: uppercases string
 * values and, if asked, keeps the original in a header.
 *
 * Build (from the repository root):
 *     cc -fPIC -shared -Isdk/include sdk/examples/example_transform.c -o example_transform.so
 *
 * Use it in a connector config:
 *     "transforms": "shout",
 *     "transforms.shout.type": "com.example.sluice.Uppercase$Value",
 *     "transforms.shout.original.header": "original" */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sdk.h>

static const sl_config_def uppercase_config[] = {
    {.name = "original.header",
     .type = SL_CFG_STRING,
     .default_value = NULL, /* null: add no header */
     .importance = SL_IMPORTANCE_LOW,
     .doc = "If set, the original value is kept in a header of this name."},
    SL_CONFIG_END,
};

typedef struct uppercase {
    char *header; /* NULL: no header */
} uppercase;

/* One instance per task; all calls for it come from that task's thread. */
static int uppercase_init(const sl_config *config, void **state, char *errstr,
                          size_t errstr_size)
{
    uppercase *u = calloc(1, sizeof(*u));
    const char *header = sl_config_string(config, "original.header");
    if (u == NULL || (header != NULL && header[0] && (u->header = strdup(header)) == NULL)) {
        free(u);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *state = u;
    return SL_OK;
}

static int uppercase_apply(void *state, sl_record *record, char *errstr, size_t errstr_size)
{
    uppercase *u = state;
    const sl_value *value = sl_record_value(record);
    if (value == NULL)
        return SL_OK; /* a tombstone stays a tombstone */
    size_t len = 0;
    const char *s = sl_value_get_string(value, &len);
    if (s == NULL || sl_value_type(value) != SL_TYPE_STRING) {
        snprintf(errstr, errstr_size, "Uppercase$Value expects a string value, got type %d",
                 (int)sl_value_type(value));
        return SL_ERR;
    }
    char *up = malloc(len + 1);
    if (up == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < len; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    if (u->header != NULL) /* the header takes a copy of the original, with a STRING schema */
        sl_record_header_add(record, u->header,
                             sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, false)),
                             sl_value_copy(value));
    /* Keep the value's schema (take it out, put it back with the new value). */
    sl_schema *schema = NULL;
    sl_value *old = NULL;
    sl_record_take_value(record, &schema, &old);
    sl_value_destroy(old);
    sl_record_set_value(record, schema, sl_value_new_string(up, len));
    free(up);
    return SL_OK;
}

static void uppercase_close(void *state)
{
    uppercase *u = state;
    free(u->header);
    free(u);
}

static const sl_transform_def uppercase_value = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "com.example.sluice.Uppercase$Value",
    .version = "1.0.0",
    .doc = "Uppercases string record values.",
    .config = uppercase_config,
    .init = uppercase_init,
    .apply = uppercase_apply,
    .close = uppercase_close,
};

static const sl_transform_def *const transforms[] = {&uppercase_value, NULL};

SL_PLUGIN(.name = "example-transform", .version = "1.0.0",
          .description = "Uppercase$Value: the SDK's transform example.",
          .transforms = transforms);
