/* data/header_converter.c: org.apache.kafka.connect.storage.SimpleHeaderConverter: header values
 * are written as Connect's Values text and read back by inferring their type from the text. */
#include <stdio.h>
#include <stdlib.h>

#include "data/conv_text.h"
#include "data/converters.h"

/* SimpleHeaderConverter.config() is an empty ConfigDef. */
static const sl_config_def header_config[] = {SL_CONFIG_END};

static int header_init(const sl_config *config, sl_converter_role role, void **state,
                       char *errstr, size_t errstr_size)
{
    (void)config;
    (void)role;
    (void)errstr;
    (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int header_from_value(void *state, const char *topic, const char *header_key,
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
    jsonc_buf b = {0};
    if (conv_values_text(&b, schema, value, false, errstr, errstr_size) != SL_OK) {
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

static int header_to_value(void *state, const char *topic, const char *header_key,
                           const void *data, size_t len, sl_schema **schema, sl_value **value,
                           char *errstr, size_t errstr_size)
{
    (void)state;
    *schema = NULL;
    *value = NULL;
    if (data == NULL)
        return SL_OK;
    int rc;
    if (len == 0) {
        /* An empty header is the empty string (not a null). */
        *value = sl_value_new_string("", 0);
        *schema = sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, false));
        rc = *value ? SL_OK : SL_ERR;
    } else if (conv_utf8_valid(data, len)) {
        rc = conv_parse_header(data, len, schema, value);
    } else {
        /* Java decodes the bytes to a String first, replacing what is not UTF-8. */
        jsonc_buf b = {0};
        conv_utf8_sanitize(&b, data, len);
        rc = b.oom ? SL_ERR : conv_parse_header(b.data, b.len, schema, value);
        jsonc_buf_free(&b);
    }
    if (rc != SL_OK) {
        sl_value_destroy(*value);
        sl_schema_unref(*schema);
        *value = NULL;
        *schema = NULL;
        snprintf(errstr, errstr_size,
                 "Failed to deserialize value for header '%s' on topic '%s': out of memory",
                 header_key ? header_key : "", topic ? topic : "");
    }
    return rc;
}

const sl_converter_def simple_header_converter_def = {
    .struct_size = sizeof(sl_converter_def),
    .class_name = "org.apache.kafka.connect.storage.SimpleHeaderConverter",
    .version = NULL,
    .doc = "Writes header values as text and reads them back by inferring their type.",
    .config = header_config,
    .header_converter = true,
    .init = header_init,
    .from_value = header_from_value,
    .to_value = header_to_value,
    .close = NULL,
};
