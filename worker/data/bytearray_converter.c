/* data/bytearray_converter.c: org.apache.kafka.connect.converters.ByteArrayConverter: bytes
 * pass through as an optional BYTES value, unchanged and undecoded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/converters.h"
#include "data/value_internal.h"

/* ConverterConfig: only converter.type, which the runtime sets. */
static const sl_config_def bytearray_config[] = {
    {.name = "converter.type",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_LOW,
     .doc = "How this converter will be used."},
    SL_CONFIG_END,
};

static int bytearray_init(const sl_config *config, sl_converter_role role, void **state,
                          char *errstr, size_t errstr_size)
{
    (void)config;
    (void)role;
    (void)errstr;
    (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int bytearray_from_value(void *state, const char *topic, const char *header_key,
                                const sl_schema *schema, const sl_value *value, void **out,
                                size_t *out_len, char *errstr, size_t errstr_size)
{
    (void)state;
    (void)topic;
    (void)header_key;
    *out = NULL;
    *out_len = 0;
    if (schema != NULL && sl_schema_type(schema) != SL_TYPE_BYTES) {
        snprintf(errstr, errstr_size, "Invalid schema type for ByteArrayConverter: %s",
                 value_type_name(sl_schema_type(schema)));
        return SL_ERR;
    }
    if (value == NULL)
        return SL_OK;
    if (sl_value_type(value) != SL_TYPE_BYTES) {
        snprintf(errstr, errstr_size,
                 "ByteArrayConverter is not compatible with objects of type %s",
                 value_type_name(sl_value_type(value)));
        return SL_ERR;
    }
    size_t len;
    const void *bytes = sl_value_get_bytes(value, &len);
    void *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    if (len)
        memcpy(copy, bytes, len);
    *out = copy;
    *out_len = len;
    return SL_OK;
}

/* The bytes are only borrowed for the call, so they are copied once; a runtime that owns the
 * message can skip the converter and use value_new_bytes_nocopy itself. */
static int bytearray_to_value(void *state, const char *topic, const char *header_key,
                              const void *data, size_t len, sl_schema **schema, sl_value **value,
                              char *errstr, size_t errstr_size)
{
    (void)state;
    (void)topic;
    (void)header_key;
    *schema = sl_schema_ref(sl_schema_primitive(SL_TYPE_BYTES, true));
    *value = NULL;
    if (data == NULL)
        return SL_OK;
    *value = sl_value_new_bytes(data, len);
    if (*value == NULL) {
        sl_schema_unref(*schema);
        *schema = NULL;
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return SL_OK;
}

const sl_converter_def bytearray_converter_def = {
    .struct_size = sizeof(sl_converter_def),
    .class_name = "org.apache.kafka.connect.converters.ByteArrayConverter",
    .version = NULL,
    .doc = "Passes bytes through unchanged as an optional bytes value.",
    .config = bytearray_config,
    .header_converter = true,
    .init = bytearray_init,
    .from_value = bytearray_from_value,
    .to_value = bytearray_to_value,
    .close = NULL,
};
