/* plugins/fs/fs_tz.h: time zones for path.format and rotate.schedule.interval.ms: fixed offsets
 * and tz database zones read from TZif files, without touching the process-wide TZ. */
#ifndef SLUICE_PLUGINS_FS_TZ_H
#define SLUICE_PLUGINS_FS_TZ_H

#include <stddef.h>
#include <stdint.h>

/* A loaded zone: immutable once loaded, so one may be shared by threads. */
typedef struct fs_tz fs_tz;

/* Load a zone by Joda/Java ID: "UTC" (also "GMT", "UT", "Z", and "" meaning UTC), a fixed
 * offset ("+05:30", "-0800", "+05", optionally after "UTC"/"GMT"), or a tz database name
 * ("Europe/Paris") read from $TZDIR or /usr/share/zoneinfo. `id` is borrowed; *out is owned by
 * the caller (fs_tz_free). SL_ERR with the reason in errstr for an unknown or malformed zone.
 * Thread-safe (no global state is read except $TZDIR). */
int fs_tz_open(const char *id, fs_tz **out, char *errstr, size_t errstr_size);
void fs_tz_free(fs_tz *tz);

/* The zone's ID as given (borrowed, lives with the zone). */
const char *fs_tz_id(const fs_tz *tz);

/* Offset from UTC in seconds (east positive) at the instant `utc_s` (seconds since the epoch).
 * When `abbrev` is not NULL it receives the zone's abbreviation at that instant ("PST", "CEST",
 * or for fixed offsets the ID), borrowed from the zone. */
int32_t fs_tz_offset_at(const fs_tz *tz, int64_t utc_s, const char **abbrev);

/* Joda's DateTimeZone.convertLocalToUTC(local, false): the UTC instant whose local time in the
 * zone is `local_ms`; in an overlap the earlier instant, in a gap the instant just after it. */
int64_t fs_tz_local_to_utc_ms(const fs_tz *tz, int64_t local_ms);

/* UTC ms -> local ms in the zone (utc + offset). */
int64_t fs_tz_utc_to_local_ms(const fs_tz *tz, int64_t utc_ms);

/* Floor division and modulo for negative instants (times before 1970). */
static inline int64_t fs_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

#endif
