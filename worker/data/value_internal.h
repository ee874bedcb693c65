/* data/value_internal.h: worker-only helpers around the SDK value model (zero-copy bytes,
 * unchecked map appends, Java-compatible number text, base64, decimals, offset-map checks).
 * Thread rules as in value.h: one thread at a time per value; nothing here has global state. */
#ifndef SLUICE_DATA_VALUE_INTERNAL_H
#define SLUICE_DATA_VALUE_INTERNAL_H

#include <sluice/sdk.h>

/* Connect's Schema.Type name of `t` ("INT8", ..., "STRUCT"); "UNKNOWN" for anything else.
 * Static string. Thread-safe. */
const char *value_type_name(sl_type t);

/* A BYTES value that points at `data` without copying it (zero-copy ByteArrayConverter).
 * `data` must stay valid and unmodified until the value is destroyed; then free_fn(opaque) is
 * called once (free_fn may be NULL when the memory outlives the value, e.g. a borrowed
 * buffer released by the caller afterwards). Example: data = msg->payload, free_fn releases
 * a reference the runtime holds on the rd_kafka_message_t. The value's content is NOT
 * guaranteed to be NUL-terminated, unlike copied bytes. sl_value_copy() of it makes an
 * ordinary (copied) value. Caller owns the result; NULL on allocation failure, in which case
 * free_fn is NOT called (the caller still owns `data`). */
sl_value *value_new_bytes_nocopy(const void *data, size_t len, void (*free_fn)(void *opaque),
                                 void *opaque);

/* Append `key` and `item` (both taken, also on failure) to a MAP without looking for an equal
 * key: for converters that build a map from a source whose keys are already unique (a JSON
 * object parsed by jansson), avoiding sl_value_map_put's linear search. SL_OK / SL_ERR. */
int value_map_append(sl_value *map, sl_value *key, sl_value *item);

/* Make room for `n` more items in an ARRAY or MAP (a hint; SL_ERR on allocation failure or a
 * non-container). */
int value_reserve(sl_value *container, size_t n);

/* sl_value_to_json, also returning the length (without the NUL) in *len (may be NULL). The
 * caller frees the result with free(). NULL only on allocation failure. Thread-safe for
 * distinct values. */
char *value_to_json_len(const sl_value *v, const sl_schema *schema, size_t *len);

/* Java's Double.toString / Float.toString text of a number (shortest digits that read back to
 * the same number; "1.0", "0.001", "1.0E7", "1.234E-5", "-0.0", "NaN", "Infinity"), which is
 * what Jackson writes for doubles and floats. Writes at most `size` bytes including the NUL;
 * returns the length it needed (as snprintf). 32 bytes always suffice. */
size_t value_format_double(double d, char *buf, size_t size);
size_t value_format_float(float f, char *buf, size_t size);

/* Standard base64 with padding (Jackson's default variant for binary). Caller frees the
 * result; *out_len (may be NULL) gets its length. NULL on allocation failure. */
char *value_base64_encode(const void *data, size_t len, size_t *out_len);
/* Decode standard base64 (padding optional, no whitespace); NULL on malformed input or
 * allocation failure. Caller frees; the result is NUL-terminated for convenience and *out_len
 * gets the decoded length. */
void *value_base64_decode(const char *text, size_t len, size_t *out_len);

/* BigDecimal.toString() of a Decimal: `bytes` is the unscaled value (two's complement,
 * big-endian, as Decimal BYTES hold it), `scale` the schema's scale. E.g. {0x04,0xD2} scale 2
 * -> "12.34"; scale -2 -> "1.234E+5"; exponent form below 1E-6 as Java does. Caller frees;
 * NULL on empty input or allocation failure. */
char *value_decimal_to_string(const void *bytes, size_t len, int32_t scale);
/* Parse decimal text ("-12.5", "1e3", "0.00") into a Decimal BYTES value with exactly `scale`
 * fractional digits (BigInteger.toByteArray form). Fails (NULL, reason in errstr) on
 * malformed text or when the value would need rounding at that scale. Caller owns. */
sl_value *value_decimal_parse(const char *text, size_t len, int32_t scale, char *errstr,
                              size_t errstr_size);
/* The "scale" parameter of a Decimal schema; SL_ERR if missing or not an int32. */
int value_decimal_scale(const sl_schema *schema, int32_t *scale);

/* Connect's OffsetUtils.validateFormat for a source partition or offset: NULL is fine; else a
 * MAP whose keys are STRING and whose values are null or primitive (not ARRAY/MAP/STRUCT).
 * SL_OK, or SL_ERR with Connect's message in errstr. */
int value_validate_offset_map(const sl_value *map, char *errstr, size_t errstr_size);

#endif
