/* data/conv_text.h: text forms of Connect values shared by the built-in converters (private to
 * worker/data): UTF-8 checks, ISO-8601 dates as Connect's Values writes them, Java toString.
 *
 * Thread rules: no shared state; every function may be called from any thread, on values and
 * buffers that thread owns. Values and schemas passed in are borrowed for the call. */
#ifndef SLUICE_DATA_CONV_TEXT_H
#define SLUICE_DATA_CONV_TEXT_H

#include "data/json_internal.h"

#define CONV_MILLIS_PER_DAY 86400000LL

/* Length of the valid UTF-8 sequence at p when p[0] >= 0x80 (2..4), or 0 if it is malformed:
 * overlong, a surrogate, above U+10FFFF, or truncated. Thread-safe. */
static inline size_t conv_utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0; /* overlong, or a UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* True if [s, s+len) is valid UTF-8. */
bool conv_utf8_valid(const char *s, size_t len);
/* Append `s` to `b`, each byte of an invalid sequence replaced by U+FFFD, as Java's
 * new String(bytes, UTF_8) does (Java replaces per malformed subsequence; this per byte). */
void conv_utf8_sanitize(jsonc_buf *b, const char *s, size_t len);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t conv_days_from_civil(int64_t y, unsigned m, unsigned d);
void conv_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Values.convertToString / Values.append(sb, value, embedded): numbers in Java's text, strings
 * raw (quoted with \\ and \" escaped when embedded), bytes base64, lists "[a,b]", maps and
 * structs "{k:v}", and with a schema Decimal as BigDecimal.toString and Date / Time / Timestamp
 * in the ISO forms "yyyy-MM-dd", "HH:mm:ss.SSS'Z'", "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" (UTC). Connect
 * picks the date form from the value's millis; this uses the schema, so each reads back as the
 * same logical type. SL_OK, or SL_ERR with a reason in errstr. */
int conv_values_text(jsonc_buf *b, const sl_schema *schema, const sl_value *v, bool embedded,
                     char *errstr, size_t errstr_size);

/* Java's String.valueOf(value) as StringConverter writes a non-string value: Struct{a=1,b=x}
 * (null fields left out), {k=v, k2=v2}, [a, b], numbers in Java's text, java.util.Date's
 * "EEE MMM dd HH:mm:ss zzz yyyy" in UTC for Date / Time / Timestamp, BigDecimal text for a
 * Decimal. Bytes, which Java would print as an object address, are written as base64. */
int conv_java_text(jsonc_buf *b, const sl_schema *schema, const sl_value *v, char *errstr,
                   size_t errstr_size);

/* Values.parseString as SimpleHeaderConverter reads a header (in header_parse.c): "null" ->
 * null; true / false -> BOOLEAN; an integer -> the smallest of INT8..INT64; another number ->
 * FLOAT32, FLOAT64 or Decimal as Connect picks; ISO date / time / timestamp -> Date / Time /
 * Timestamp; "[..]" and "{..}" -> ARRAY / MAP (with a schema when the elements share one);
 * anything else -> the text as a STRING. Unlike Connect, a number, date or list must be the
 * whole text (Connect reads "12,abc" as 12). `text` need not be NUL-terminated and must be
 * valid UTF-8. *schema and *value are new (caller owns; both NULL for "null"). SL_OK, or SL_ERR
 * when out of memory. */
int conv_parse_header(const char *text, size_t len, sl_schema **schema, sl_value **value);

#endif
