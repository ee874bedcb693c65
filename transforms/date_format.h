/* transforms/date_format.h: Java SimpleDateFormat patterns in UTC, as TimestampConverter and
 * TimestampRouter use them: compile once, then format and parse milliseconds since the epoch.
 *
 * Supported letters: G y M L d D E u a H k K h m s S F z Z X, quoted literals ('T', '' for a
 * quote) and any other non-letter as a literal. Week-based letters (Y w W) are refused.
 * Parsing is lenient like SimpleDateFormat's default (out-of-range fields roll over, text
 * after the pattern is ignored); numeric fields abutting another numeric field take exactly
 * their width ("yyyyMMdd"), others take every digit available.
 * Thread rules: a compiled format is immutable and may be shared between threads. */
#ifndef SLUICE_TRANSFORMS_DATE_FORMAT_H
#define SLUICE_TRANSFORMS_DATE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct smt_datefmt smt_datefmt;

/* Compile `pattern` (copied). On SL_OK the caller owns *out (smt_datefmt_free); on SL_ERR
 * errstr says why ("Illegal pattern character 'x'", "Unterminated quote"). */
int smt_datefmt_compile(const char *pattern, smt_datefmt **out, char *errstr, size_t errstr_size);
void smt_datefmt_free(smt_datefmt *f);
/* The pattern as given (borrowed). */
const char *smt_datefmt_pattern(const smt_datefmt *f);

/* Format `ms` (UTC) into buf (at most `size` bytes with the NUL); returns the length needed
 * (as snprintf). */
size_t smt_datefmt_format(const smt_datefmt *f, int64_t ms, char *buf, size_t size);
/* Parse `text` (NUL-terminated) into milliseconds since the epoch (UTC unless the text has a
 * zone). SL_OK or SL_ERR when the text does not match. */
int smt_datefmt_parse(const smt_datefmt *f, const char *text, int64_t *ms);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12; out-of-range months and
 * days roll over), and back. */
int64_t smt_days_from_civil(int64_t y, int64_t m, int64_t d);
void smt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
