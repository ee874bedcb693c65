/* plugins/postgres/copyfmt.h: values to PostgreSQL's COPY text format (escaping, \N for null,
 * bytea hex, Decimal, Date/Time/Timestamp, floats that round-trip) and JSON string literals.
 * No database calls; the value functions are the SDK's. One thread per buffer. */
#ifndef SLUICE_PLUGINS_POSTGRES_COPYFMT_H
#define SLUICE_PLUGINS_POSTGRES_COPYFMT_H

#include <sluice/sdk.h>

#include "strbuf.h"

/* Append s[0..n) escaped for a COPY text field: backslash, newline, carriage return and tab
 * become \\ \n \r \t, and a NUL byte becomes \000 so that the server (which cannot store it)
 * refuses that row instead of the stream being cut. */
void pgf_text(pg_sb *sb, const char *s, size_t n);
/* COPY's null marker. */
void pgf_null(pg_sb *sb);
/* A JSON string literal for s[0..n): quoted, with ", \ and control characters escaped. */
void pgf_json_string(pg_sb *sb, const char *s, size_t n);
/* Connect's logical types as PostgreSQL input text (UTC; years <= 0 as "BC"). */
void pgf_date(pg_sb *sb, int64_t days);
void pgf_time(pg_sb *sb, int64_t ms);
void pgf_timestamp(pg_sb *sb, int64_t ms);
/* A Decimal: `n` bytes of big-endian two's complement unscaled value and `scale`, as a
 * numeric literal ("-12.345"). */
void pgf_decimal(pg_sb *sb, const unsigned char *bytes, size_t n, int32_t scale);
/* The shortest text that reads back as the same double (or float when `single`); NaN and
 * infinities in PostgreSQL's spelling. */
void pgf_double(pg_sb *sb, double d, bool single);
/* bytea input "\x<hex>", already COPY-escaped (the backslash doubled). */
void pgf_bytea(pg_sb *sb, const void *data, size_t n);
/* One value as a COPY text field, by its type and (optional, borrowed) schema's logical type:
 * null -> \N, integers, floats, booleans (t/f), strings, bytes (bytea), Decimal (numeric),
 * Date/Time/Timestamp, and struct/map/array as JSON text (for jsonb columns). -1 with a
 * reason in err when the value cannot be rendered. */
int pgf_value(pg_sb *sb, const sl_value *v, const sl_schema *schema, char *err, size_t err_size);

#endif
