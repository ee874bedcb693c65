/* plugins/fs/fs_tz.c: time zones without the process-wide TZ (other threads log with it): TZif
 * files (RFC 8536) with their POSIX TZ footer rule for instants after the last transition. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sdk.h>

#include "fs_tz.h"

#define TZ_MAX_FILE (1024 * 1024)

/* A POSIX TZ rule date: Jn (julian, no Feb 29), n (zero-based day of year), or Mm.w.d. */
typedef struct tz_rule_date {
    char kind; /* 'J', 'D' or 'M' */
    int a, b, c;
    int32_t secs; /* local time of day of the change (may be negative or past 24h) */
} tz_rule_date;

typedef struct tz_posix {
    bool valid;
    bool has_dst;
    int32_t std_off, dst_off; /* seconds east of UTC */
    char std_name[16], dst_name[16];
    tz_rule_date start, end;
} tz_posix;

typedef struct tz_type {
    int32_t off;
    uint8_t isdst;
    uint8_t abbr; /* index into abbrs */
} tz_type;

struct fs_tz {
    char *id;
    bool fixed;
    int32_t fixed_off;
    int64_t *trans; /* transition instants, seconds */
    uint8_t *idx;   /* type of each transition */
    size_t ntrans;
    tz_type *types;
    size_t ntypes;
    char *abbrs;
    size_t nabbrs;
    tz_posix footer;
};

/* ---- fixed offsets ---- */

/* "+hh", "+hhmm", "+hh:mm" (also with seconds); returns SL_OK and seconds east. */
static int parse_fixed(const char *s, int32_t *out)
{
    int sign = 1;
    if (*s == '+')
        s++;
    else if (*s == '-') {
        sign = -1;
        s++;
    } else {
        return SL_ERR;
    }
    int parts[3] = {0, 0, 0};
    for (int p = 0; p < 3; p++) {
        if (!isdigit((unsigned char)s[0]))
            return SL_ERR;
        int v = s[0] - '0';
        s++;
        if (isdigit((unsigned char)s[0])) {
            v = v * 10 + (s[0] - '0');
            s++;
        }
        parts[p] = v;
        if (*s == ':')
            s++;
        else if (*s == '\0')
            break;
        else if (!isdigit((unsigned char)*s))
            return SL_ERR;
    }
    if (*s != '\0' || parts[0] > 18 || parts[1] > 59 || parts[2] > 59)
        return SL_ERR;
    *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    return SL_OK;
}

/* ---- POSIX TZ strings ---- */

static const char *posix_name(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (*s && *s != '>') {
            if (n + 1 < cap)
                out[n++] = *s;
            s++;
        }
        if (*s != '>')
            return NULL;
        s++;
    } else {
        while (isalpha((unsigned char)*s)) {
            if (n + 1 < cap)
                out[n++] = *s;
            s++;
        }
    }
    out[n] = '\0';
    return n >= 3 ? s : NULL;
}

/* [+-]hh[:mm[:ss]] with hours up to 167 (RFC 8536 extension); seconds, sign as written. */
static const char *posix_time(const char *s, int32_t *out)
{
    int sign = 1;
    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
    }
    if (!isdigit((unsigned char)*s))
        return NULL;
    long h = strtol(s, (char **)&s, 10);
    long m = 0, sec = 0;
    if (*s == ':') {
        m = strtol(s + 1, (char **)&s, 10);
        if (*s == ':')
            sec = strtol(s + 1, (char **)&s, 10);
    }
    if (h > 167 || m > 59 || sec > 59)
        return NULL;
    *out = (int32_t)(sign * (h * 3600 + m * 60 + sec));
    return s;
}

static const char *posix_date(const char *s, tz_rule_date *d)
{
    char *end;
    if (*s == 'J') {
        d->kind = 'J';
        d->a = (int)strtol(s + 1, &end, 10);
        if (end == s + 1 || d->a < 1 || d->a > 365)
            return NULL;
        s = end;
    } else if (*s == 'M') {
        d->kind = 'M';
        d->a = (int)strtol(s + 1, &end, 10);
        if (end == s + 1 || *end != '.')
            return NULL;
        d->b = (int)strtol(end + 1, &end, 10);
        if (*end != '.')
            return NULL;
        d->c = (int)strtol(end + 1, &end, 10);
        if (d->a < 1 || d->a > 12 || d->b < 1 || d->b > 5 || d->c < 0 || d->c > 6)
            return NULL;
        s = end;
    } else if (isdigit((unsigned char)*s)) {
        d->kind = 'D';
        d->a = (int)strtol(s, &end, 10);
        if (d->a > 365)
            return NULL;
        s = end;
    } else {
        return NULL;
    }
    d->secs = 7200;
    if (*s == '/') {
        s = posix_time(s + 1, &d->secs);
        if (s == NULL)
            return NULL;
    }
    return s;
}

/* Parse a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"); false if malformed. */
static bool posix_parse(const char *s, tz_posix *p)
{
    memset(p, 0, sizeof(*p));
    int32_t t;
    s = posix_name(s, p->std_name, sizeof(p->std_name));
    if (s == NULL || (s = posix_time(s, &t)) == NULL)
        return false;
    p->std_off = -t; /* POSIX offsets are west-positive */
    if (*s == '\0') {
        p->valid = true;
        return true;
    }
    s = posix_name(s, p->dst_name, sizeof(p->dst_name));
    if (s == NULL)
        return false;
    p->has_dst = true;
    p->dst_off = p->std_off + 3600;
    if (*s != ',' && *s != '\0') {
        if ((s = posix_time(s, &t)) == NULL)
            return false;
        p->dst_off = -t;
    }
    if (*s == '\0') {
        /* No rule: the US rules POSIX implementations assume. */
        p->start = (tz_rule_date){'M', 3, 2, 0, 7200};
        p->end = (tz_rule_date){'M', 11, 1, 0, 7200};
        p->valid = true;
        return true;
    }
    if (*s != ',' || (s = posix_date(s + 1, &p->start)) == NULL || *s != ',' ||
        (s = posix_date(s + 1, &p->end)) == NULL || *s != '\0')
        return false;
    p->valid = true;
    return true;
}

/* ---- civil calendar ---- */

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian), after H. Hinnant's days_from_civil. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = fs_floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t year_of_days(int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = fs_floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    return mp >= 10 ? y + 1 : y;
}

/* Local seconds since the epoch (in the offset in force before the change) of a rule date. */
static int64_t rule_local(const tz_rule_date *d, int64_t year)
{
    int64_t day;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d->kind == 'J') {
        day = days_from_civil(year, 1, 1) + d->a - 1;
        if (is_leap(year) && d->a >= 60)
            day++; /* Jn never counts February 29 */
    } else if (d->kind == 'D') {
        day = days_from_civil(year, 1, 1) + d->a;
    } else {
        int64_t first = days_from_civil(year, d->a, 1);
        int wd_first = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday (4) */
        int delta = (d->c - wd_first + 7) % 7;
        int64_t dom = 1 + delta + (d->b - 1) * 7;
        int len = mdays[d->a - 1] + (d->a == 2 && is_leap(year));
        while (dom > len)
            dom -= 7;
        day = first + dom - 1;
    }
    return day * 86400 + d->secs;
}

static int32_t posix_offset(const tz_posix *p, int64_t t, const char **abbrev)
{
    if (!p->has_dst) {
        if (abbrev)
            *abbrev = p->std_name;
        return p->std_off;
    }
    int64_t year = year_of_days(fs_floordiv(t + p->std_off, 86400));
    bool dst = false;
    /* Check the neighbouring years too: a rule near New Year may belong to either. */
    for (int64_t y = year - 1; y <= year + 1; y++) {
        int64_t start = rule_local(&p->start, y) - p->std_off;
        int64_t end = rule_local(&p->end, y) - p->dst_off;
        if (start < end) {
            if (t >= start && t < end)
                dst = true;
        } else if (y == year) {
            /* Southern hemisphere: DST spans New Year. */
            dst = !(t >= end && t < start);
        }
    }
    if (abbrev)
        *abbrev = dst ? p->dst_name : p->std_name;
    return dst ? p->dst_off : p->std_off;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Parse the TZif bytes into z; false if malformed. */
static bool tzif_parse(fs_tz *z, const unsigned char *buf, size_t len)
{
    if (len < 44 || memcmp(buf, "TZif", 4) != 0)
        return false;
    uint32_t c[6];
    for (int i = 0; i < 6; i++)
        c[i] = be32(buf + 20 + 4 * i);
    /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    size_t v1 = (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 8 + c[1] + c[0];
    const unsigned char *p = buf + 44;
    int tsize = 4;
    if (buf[4] >= '2') {
        if (44 + v1 + 44 > len)
            return false;
        p = buf + 44 + v1;
        if (memcmp(p, "TZif", 4) != 0)
            return false;
        for (int i = 0; i < 6; i++)
            c[i] = be32(p + 20 + 4 * i);
        p += 44;
        tsize = 8;
    }
    size_t need = (size_t)c[3] * (tsize + 1) + (size_t)c[4] * 6 + c[5] +
                  (size_t)c[2] * (tsize + 4) + c[1] + c[0];
    if (c[4] == 0 || c[4] > 256 || c[3] > 100000 || c[5] > 4096 || (size_t)(p - buf) + need > len)
        return false;
    z->ntrans = c[3];
    z->ntypes = c[4];
    z->nabbrs = c[5];
    z->trans = calloc(z->ntrans ? z->ntrans : 1, sizeof(*z->trans));
    z->idx = calloc(z->ntrans ? z->ntrans : 1, 1);
    z->types = calloc(z->ntypes, sizeof(*z->types));
    z->abbrs = calloc(z->nabbrs + 1, 1);
    if (!z->trans || !z->idx || !z->types || !z->abbrs)
        return false;
    for (size_t i = 0; i < z->ntrans; i++, p += tsize)
        z->trans[i] = tsize == 8 ? be64(p) : (int32_t)be32(p);
    for (size_t i = 0; i < z->ntrans; i++, p++) {
        if (*p >= z->ntypes)
            return false;
        z->idx[i] = *p;
    }
    for (size_t i = 0; i < z->ntypes; i++, p += 6) {
        z->types[i].off = (int32_t)be32(p);
        z->types[i].isdst = p[4];
        z->types[i].abbr = p[5] < z->nabbrs ? p[5] : 0;
    }
    memcpy(z->abbrs, p, z->nabbrs);
    p += z->nabbrs + (size_t)c[2] * (tsize + 4) + c[1] + c[0];
    if (tsize == 8 && p < buf + len && *p == '\n') {
        const unsigned char *e = memchr(p + 1, '\n', (size_t)(buf + len - p - 1));
        if (e != NULL && e > p + 1) {
            char tzs[128];
            size_t n = (size_t)(e - p - 1);
            if (n < sizeof(tzs)) {
                memcpy(tzs, p + 1, n);
                tzs[n] = '\0';
                posix_parse(tzs, &z->footer);
            }
        }
    }
    return true;
}

static int tzif_load(fs_tz *z, const char *id, char *errstr, size_t errstr_size)
{
    /* Zone IDs name files under the zoneinfo directory; refuse anything that could escape it. */
    if (id[0] == '/' || strstr(id, "..") != NULL || strlen(id) > 200) {
        snprintf(errstr, errstr_size, "Invalid time zone ID '%s'", id);
        return SL_ERR;
    }
    for (const char *s = id; *s; s++)
        if (!(isalnum((unsigned char)*s) || strchr("/_-+", *s))) {
            snprintf(errstr, errstr_size, "Invalid time zone ID '%s'", id);
            return SL_ERR;
        }
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", id);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(errstr, errstr_size, "Unknown time zone '%s' (%s: %s)", id, path, strerror(errno));
        return SL_ERR;
    }
    unsigned char *buf = malloc(TZ_MAX_FILE);
    size_t len = buf ? fread(buf, 1, TZ_MAX_FILE, f) : 0;
    fclose(f);
    bool ok = buf != NULL && tzif_parse(z, buf, len);
    free(buf);
    if (!ok) {
        snprintf(errstr, errstr_size, "Unknown time zone '%s' (%s is not a TZif file)", id, path);
        return SL_ERR;
    }
    return SL_OK;
}

/* ---- public ---- */

int fs_tz_open(const char *id, fs_tz **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (id == NULL)
        id = "";
    fs_tz *z = calloc(1, sizeof(*z));
    if (z == NULL || (z->id = strdup(id[0] ? id : "UTC")) == NULL) {
        free(z);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    const char *rest = NULL;
    if (strcmp(id, "") == 0 || strcmp(id, "UTC") == 0 || strcmp(id, "GMT") == 0 ||
        strcmp(id, "UT") == 0 || strcmp(id, "Z") == 0) {
        z->fixed = true;
    } else if (id[0] == '+' || id[0] == '-') {
        rest = id;
    } else if ((strncmp(id, "UTC", 3) == 0 || strncmp(id, "GMT", 3) == 0) &&
               (id[3] == '+' || id[3] == '-')) {
        rest = id + 3;
    } else if (strncmp(id, "UT", 2) == 0 && (id[2] == '+' || id[2] == '-')) {
        rest = id + 2;
    }
    if (rest != NULL) {
        z->fixed = true;
        if (parse_fixed(rest, &z->fixed_off) != SL_OK) {
            snprintf(errstr, errstr_size, "Invalid time zone offset '%s'", id);
            fs_tz_free(z);
            return SL_ERR;
        }
    }
    if (!z->fixed && tzif_load(z, id, errstr, errstr_size) != SL_OK) {
        fs_tz_free(z);
        return SL_ERR;
    }
    *out = z;
    return SL_OK;
}

void fs_tz_free(fs_tz *tz)
{
    if (tz == NULL)
        return;
    free(tz->id);
    free(tz->trans);
    free(tz->idx);
    free(tz->types);
    free(tz->abbrs);
    free(tz);
}

const char *fs_tz_id(const fs_tz *tz)
{
    return tz->id;
}

int32_t fs_tz_offset_at(const fs_tz *tz, int64_t t, const char **abbrev)
{
    if (tz->fixed) {
        if (abbrev)
            *abbrev = tz->id;
        return tz->fixed_off;
    }
    const tz_type *ty;
    if (tz->ntrans == 0 || t < tz->trans[0]) {
        if (tz->ntrans == 0 && tz->footer.valid)
            return posix_offset(&tz->footer, t, abbrev);
        ty = &tz->types[0];
    } else if (t >= tz->trans[tz->ntrans - 1] && tz->footer.valid) {
        return posix_offset(&tz->footer, t, abbrev);
    } else {
        size_t lo = 0, hi = tz->ntrans; /* last transition <= t is in [lo, hi) */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (tz->trans[mid] <= t)
                lo = mid;
            else
                hi = mid;
        }
        ty = &tz->types[tz->idx[lo]];
    }
    if (abbrev)
        *abbrev = tz->abbrs + ty->abbr;
    return ty->off;
}

int64_t fs_tz_utc_to_local_ms(const fs_tz *tz, int64_t utc_ms)
{
    return utc_ms + (int64_t)fs_tz_offset_at(tz, fs_floordiv(utc_ms, 1000), NULL) * 1000;
}

int64_t fs_tz_local_to_utc_ms(const fs_tz *tz, int64_t local_ms)
{
    if (tz->fixed)
        return local_ms - (int64_t)tz->fixed_off * 1000;
    int64_t ls = fs_floordiv(local_ms, 1000);
    /* Candidate offsets: those in force a day around the local time cover any transition. */
    int32_t cands[3];
    cands[0] = fs_tz_offset_at(tz, ls - 86400, NULL);
    cands[1] = fs_tz_offset_at(tz, ls, NULL);
    cands[2] = fs_tz_offset_at(tz, ls + 86400, NULL);
    bool found = false;
    int32_t best = 0;
    for (int i = 0; i < 3; i++) {
        int32_t o = cands[i];
        if (fs_tz_offset_at(tz, ls - o, NULL) == o && (!found || o > best)) {
            /* A valid reading; in an overlap the larger offset is the earlier instant. */
            best = o;
            found = true;
        }
    }
    if (!found) {
        /* In a gap: use the offset before it, which lands just after the transition. */
        int32_t before = cands[0] < cands[2] ? cands[0] : cands[2];
        best = before;
    }
    return local_ms - (int64_t)best * 1000;
}
