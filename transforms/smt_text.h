/* transforms/smt_text.h: Java-compatible text for the built-in transforms: Double/Float
 * toString, the strict Integer/Long/Double parsers Cast uses, base64, BigDecimal text of
 * Connect Decimals, and a subset of Values.parseString for header literals.
 * Thread rules: no shared state; everything is thread-safe. */
#ifndef SLUICE_TRANSFORMS_SMT_TEXT_H
#define SLUICE_TRANSFORMS_SMT_TEXT_H

#include <sluice/sdk.h>

/* Java's Double.toString / Float.toString ("1.0", "1.0E7", "1.234E-5", "NaN", "-Infinity"),
 * with the shortest digits that read back to the same number. Writes at most `size` bytes
 * including the NUL; returns the length needed (as snprintf). 32 bytes always suffice. */
size_t smt_format_double(double d, char *buf, size_t size);
size_t smt_format_float(float f, char *buf, size_t size);

/* Java's Long.parseLong restricted to [min, max] (Byte/Short/Integer.parseInt likewise):
 * optional sign, ASCII digits only, no whitespace. SL_OK or SL_ERR (malformed/out of range). */
int smt_parse_integer(const char *s, int64_t min, int64_t max, int64_t *out);
/* Java's Double.parseDouble: surrounding whitespace allowed, "NaN", "Infinity", decimal and
 * hex forms, an optional f/F/d/D suffix. SL_OK or SL_ERR. */
int smt_parse_double(const char *s, double *out);

/* Standard base64 with padding (java.util.Base64.getEncoder()). Caller frees; NULL on
 * allocation failure. */
char *smt_base64(const void *data, size_t len);

/* BigDecimal.toString() of a Connect Decimal: `bytes` the unscaled two's complement big-endian
 * value, `scale` from the schema. Caller frees; NULL on allocation failure or empty input. */
char *smt_decimal_string(const void *bytes, size_t len, int32_t scale);
/* BigDecimal.doubleValue() (through the text form) and longValue() (the integer part, wrapped
 * to 64 bits as BigInteger.longValue does). SL_ERR on empty input / allocation failure. */
int smt_decimal_double(const void *bytes, size_t len, int32_t scale, double *out);
int smt_decimal_long(const void *bytes, size_t len, int32_t scale, int64_t *out);
/* A Decimal value of `text` ("12.5", "-3", "1e2") at exactly `scale`, when representable
 * without rounding in 64 bits. Caller owns the value; NULL if not. */
sl_value *smt_decimal_parse(const char *text, int32_t scale);

/* A subset of Connect's Values.parseString for literal header values: "" -> STRING, "null" ->
 * null, "true"/"false" -> BOOLEAN, integers -> the narrowest of INT8..INT64, other numbers ->
 * FLOAT32 / FLOAT64, anything else -> STRING (arrays, maps and temporal literals stay strings).
 * The caller owns *schema (NULL for null) and *value. SL_ERR only on allocation failure. */
int smt_parse_literal(const char *text, sl_schema **schema, sl_value **value);

#endif
