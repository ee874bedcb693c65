/* data/converters.h: the converters built into the worker (JsonConverter, StringConverter,
 * ByteArrayConverter, SimpleHeaderConverter), registered under Connect's class names. */
#ifndef SLUICE_DATA_CONVERTERS_H
#define SLUICE_DATA_CONVERTERS_H

#include <sluice/sdk.h>

extern const sl_converter_def json_converter_def;         /* org.apache.kafka.connect.json.JsonConverter */
extern const sl_converter_def string_converter_def;       /* org.apache.kafka.connect.storage.StringConverter */
extern const sl_converter_def bytearray_converter_def;    /* org.apache.kafka.connect.converters.ByteArrayConverter */
extern const sl_converter_def simple_header_converter_def; /* org.apache.kafka.connect.storage.SimpleHeaderConverter */

/* NULL-terminated list of the above, for the registry. */
const sl_converter_def *const *converters_builtin(void);

#endif
