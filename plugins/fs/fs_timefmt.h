/* plugins/fs/fs_timefmt.h: Joda-Time DateTimeFormat patterns (path.format, e.g.
 * "'year'=YYYY/'month'=MM/'day'=dd") compiled once and rendered for an instant in a zone. */
#ifndef SLUICE_PLUGINS_FS_TIMEFMT_H
#define SLUICE_PLUGINS_FS_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "fs_tz.h"

/* A compiled pattern with its locale's month, weekday and AM/PM names. Immutable once built. */
typedef struct fs_timefmt fs_timefmt;

/* Compile `pattern` (borrowed) for `locale` (Java form, "en", "en_US", "fr-FR"; NULL or empty
 * means English). Letters Joda does not know and unterminated quotes are refused with Joda's
 * message in errstr. Names for a non-English locale come from the C library's locale of that
 * name when it is installed, else English (*locale_fallback is set true when given). The
 * caller owns *out (fs_timefmt_free). */
int fs_timefmt_compile(const char *pattern, const char *locale, fs_timefmt **out,
                       bool *locale_fallback, char *errstr, size_t errstr_size);
void fs_timefmt_free(fs_timefmt *f);

/* Render the instant `utc_ms` in zone `tz` (borrowed) into buf (NUL-terminated, truncated to
 * cap). Returns the length the full text needs, as snprintf. Thread-safe. */
size_t fs_timefmt_format(const fs_timefmt *f, int64_t utc_ms, const fs_tz *tz, char *buf,
                         size_t cap);

/* Broken-down local time, exposed for tests and for day alignment. */
typedef struct fs_civil {
    int64_t year;
    int month, day; /* 1-12, 1-31 */
    int hour, minute, second, millis;
    int dow;           /* ISO day of week, Monday = 1 ... Sunday = 7 */
    int doy;           /* day of year, 1-366 */
    int64_t week_year; /* ISO week-based year */
    int week;          /* ISO week of week_year, 1-53 */
} fs_civil;

/* Break local milliseconds since the epoch (proleptic Gregorian) into fields. */
void fs_civil_from_local_ms(int64_t local_ms, fs_civil *out);

#endif
