/* data/converters.c: the list of converters built into the worker, registered by the plugin
 * registry under their Connect class names. */
#include "data/converters.h"

const sl_converter_def *const *converters_builtin(void)
{
    static const sl_converter_def *const builtin[] = {
        &json_converter_def,
        &string_converter_def,
        &bytearray_converter_def,
        &simple_header_converter_def,
        NULL,
    };
    return builtin;
}
