/* data/string_converter.c: org.apache.kafka.connect.storage.StringConverter: bytes <-> an
 * optional STRING, UTF-8 only; other values are written as Java's toString() would. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "data/conv_text.h"
#include "data/converters.h"

/* Java accepts any charset name; Sluice keeps strings as UTF-8, so only UTF-8's names pass. */
static bool encoding_ok(const char *name)
{
    return name == NULL || strcasecmp(name, "UTF-8") == 0 || strcasecmp(name, "UTF8") == 0;
}

static int validate_encoding(const sl_config_def *def, const char *value, char *errstr,
                             size_t errstr_size)
{
    (void)def;
    if (encoding_ok(value))
        return SL_OK;
    snprintf(errstr, errstr_size, "only UTF-8 is supported");
    return SL_ERR;
}

/* StringConverterConfig (plus ConverterConfig's converter.type, which the runtime sets). */
static const sl_config_def string_config[] = {
    {.name = "converter.type",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_LOW,
     .doc = "How this converter will be used."},
    {.name = "converter.encoding",
     .type = SL_CFG_STRING,
     .default_value = "UTF-8",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The name of the Java character set to use for encoding strings as byte arrays.",
     .group = "Converter",
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Encoding",
     .validator = SL_VALIDATE_CUSTOM(validate_encoding)},
    SL_CONFIG_END,
};

/* Stateless: the state pointer is a dummy so that init succeeds with a non-NULL state. */
static int string_init(const sl_config *config, sl_converter_role role, void **state,
                       char *errstr, size_t errstr_size)
{
    (void)role;
    const char *enc = config ? sl_config_string(config, "converter.encoding") : NULL;
    if (!encoding_ok(enc)) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration converter.encoding: only UTF-8 is "
                 "supported",
                 enc);
        return SL_ERR;
    }
    *state = NULL;
    return SL_OK;
}

static int string_from_value(void *state, const char *topic, const char *header_key,
                             const sl_schema *schema, const sl_value *value, void **out,
                             size_t *out_len, char *errstr, size_t errstr_size)
{
    (void)state;
    (void)topic;
    (void)header_key;
    *out = NULL;
    *out_len = 0;
    if (value == NULL)
        return SL_OK;
    size_t len;
    if (sl_value_type(value) == SL_TYPE_STRING) {
        const char *s = sl_value_get_string(value, &len);
        char *copy = malloc(len ? len : 1);
        if (copy == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        memcpy(copy, s, len);
        *out = copy;
        *out_len = len;
        return SL_OK;
    }
    jsonc_buf b = {0};
    if (conv_java_text(&b, schema, value, errstr, errstr_size) != SL_OK) {
        jsonc_buf_free(&b);
        return SL_ERR;
    }
    if (b.oom || (b.data == NULL && !jsonc_buf_grow(&b, 1))) {
        jsonc_buf_free(&b);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *out = b.data;
    *out_len = b.len;
    return SL_OK;
}

/* new String(bytes, UTF_8): invalid sequences become U+FFFD rather than failing. */
static int string_to_value(void *state, const char *topic, const char *header_key,
                           const void *data, size_t len, sl_schema **schema, sl_value **value,
                           char *errstr, size_t errstr_size)
{
    (void)state;
    (void)topic;
    (void)header_key;
    *schema = sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, true));
    *value = NULL;
    if (data == NULL)
        return SL_OK;
    if (conv_utf8_valid(data, len)) {
        *value = sl_value_new_string(data, len);
    } else {
        jsonc_buf b = {0};
        conv_utf8_sanitize(&b, data, len);
        *value = b.oom ? NULL : sl_value_new_string(b.data ? b.data : "", b.len);
        jsonc_buf_free(&b);
    }
    if (*value == NULL) {
        sl_schema_unref(*schema);
        *schema = NULL;
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return SL_OK;
}

const sl_converter_def string_converter_def = {
    .struct_size = sizeof(sl_converter_def),
    .class_name = "org.apache.kafka.connect.storage.StringConverter",
    .version = NULL,
    .doc = "Converts between UTF-8 text and an optional string; other values are written in "
           "their text form.",
    .config = string_config,
    .header_converter = true,
    .init = string_init,
    .from_value = string_from_value,
    .to_value = string_to_value,
    .close = NULL,
};
