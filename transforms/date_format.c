/* transforms/date_format.c: Java SimpleDateFormat patterns in UTC (compile, format, lenient
 * parse) for TimestampConverter and TimestampRouter, on a proleptic Gregorian calendar. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sluice/sdk.h>

#include "date_format.h"

#define MS_PER_DAY 86400000LL

typedef struct df_item {
    char letter; /* 0 for a literal */
    int count;
    char *lit;
    size_t litlen;
} df_item;

struct smt_datefmt {
    char *pattern;
    df_item *items;
    size_t n;
};

static const char *const k_months[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
static const char *const k_days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};

/* ==== calendar ==== */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t smt_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    /* months roll over into years, days into months, as a lenient Calendar does */
    y += floor_div(m - 1, 12);
    m = m - 1 - floor_div(m - 1, 12) * 12 + 1;
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;
    int64_t mp = m > 2 ? m - 3 : m + 9;
    int64_t doy = (153 * mp + 2) / 5;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 + (d - 1);
}

void smt_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ==== compile ==== */

static bool letter_supported(char c)
{
    return strchr("GyMLdDEuaHkKhmsSFzZX", c) != NULL;
}

static bool item_numeric(const df_item *it)
{
    if (it->letter == 0)
        return false;
    if (it->letter == 'M' || it->letter == 'L')
        return it->count <= 2;
    return strchr("ydDHkKhmsSFu", it->letter) != NULL;
}

static int add_literal(smt_datefmt *f, const char *s, size_t len)
{
    if (len == 0)
        return SL_OK;
    if (f->n > 0 && f->items[f->n - 1].letter == 0) { /* merge adjacent literals */
        df_item *it = &f->items[f->n - 1];
        char *nl = realloc(it->lit, it->litlen + len + 1);
        if (nl == NULL)
            return SL_ERR;
        memcpy(nl + it->litlen, s, len);
        it->litlen += len;
        nl[it->litlen] = '\0';
        it->lit = nl;
        return SL_OK;
    }
    df_item *it = &f->items[f->n];
    it->letter = 0;
    it->lit = malloc(len + 1);
    if (it->lit == NULL)
        return SL_ERR;
    memcpy(it->lit, s, len);
    it->lit[len] = '\0';
    it->litlen = len;
    f->n++;
    return SL_OK;
}

int smt_datefmt_compile(const char *pattern, smt_datefmt **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    size_t plen = pattern ? strlen(pattern) : 0;
    smt_datefmt *f = calloc(1, sizeof(*f));
    if (f == NULL || (f->items = calloc(plen + 1, sizeof(df_item))) == NULL ||
        (f->pattern = strdup(pattern ? pattern : "")) == NULL) {
        smt_datefmt_free(f);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    size_t i = 0;
    while (i < plen) {
        char c = pattern[i];
        if (c == '\'') {
            if (i + 1 < plen && pattern[i + 1] == '\'') { /* '' is one quote */
                if (add_literal(f, "'", 1) != SL_OK)
                    goto oom;
                i += 2;
                continue;
            }
            i++;
            bool closed = false;
            while (i < plen) {
                if (pattern[i] == '\'') {
                    if (i + 1 < plen && pattern[i + 1] == '\'') {
                        if (add_literal(f, "'", 1) != SL_OK)
                            goto oom;
                        i += 2;
                        continue;
                    }
                    closed = true;
                    i++;
                    break;
                }
                if (add_literal(f, &pattern[i], 1) != SL_OK)
                    goto oom;
                i++;
            }
            if (!closed) {
                snprintf(errstr, errstr_size, "Unterminated quote");
                smt_datefmt_free(f);
                return SL_ERR;
            }
            continue;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            if (!letter_supported(c)) {
                if (strchr("YwW", c) != NULL)
                    snprintf(errstr, errstr_size,
                             "Pattern letter '%c' (week-based) is not supported", c);
                else
                    snprintf(errstr, errstr_size, "Illegal pattern character '%c'", c);
                smt_datefmt_free(f);
                return SL_ERR;
            }
            size_t j = i;
            while (j < plen && pattern[j] == c)
                j++;
            df_item *it = &f->items[f->n++];
            it->letter = c;
            it->count = (int)(j - i);
            i = j;
            continue;
        }
        if (add_literal(f, &pattern[i], 1) != SL_OK)
            goto oom;
        i++;
    }
    *out = f;
    return SL_OK;
oom:
    smt_datefmt_free(f);
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

void smt_datefmt_free(smt_datefmt *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; f->items && i < f->n; i++)
        free(f->items[i].lit);
    free(f->items);
    free(f->pattern);
    free(f);
}

const char *smt_datefmt_pattern(const smt_datefmt *f)
{
    return f->pattern;
}

/* ==== format ==== */

typedef struct outbuf {
    char *buf;
    size_t size, len;
} outbuf;

static void put(outbuf *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->len + 1 < o->size)
            o->buf[o->len] = s[i];
}

static void putnum(outbuf *o, int64_t v, int width)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%0*lld", width, (long long)v);
    put(o, tmp, (size_t)n);
}

static void putname(outbuf *o, const char *name, int count)
{
    put(o, name, count >= 4 ? strlen(name) : 3);
}

size_t smt_datefmt_format(const smt_datefmt *f, int64_t ms, char *buf, size_t size)
{
    outbuf o = {buf, size, 0};
    int64_t days = floor_div(ms, MS_PER_DAY);
    int64_t msod = ms - days * MS_PER_DAY;
    int64_t y;
    int mon, day;
    smt_civil_from_days(days, &y, &mon, &day);
    int hour = (int)(msod / 3600000), min = (int)(msod / 60000 % 60);
    int sec = (int)(msod / 1000 % 60), milli = (int)(msod % 1000);
    int dow = (int)(((days + 4) % 7 + 7) % 7); /* 0 = Sunday; 1970-01-01 was a Thursday */
    int64_t yoe = y > 0 ? y : 1 - y;           /* year of era */
    for (size_t i = 0; i < f->n; i++) {
        const df_item *it = &f->items[i];
        int c = it->count;
        switch (it->letter) {
        case 0:
            put(&o, it->lit, it->litlen);
            break;
        case 'G':
            put(&o, y > 0 ? "AD" : "BC", 2);
            break;
        case 'y':
            if (c == 2)
                putnum(&o, yoe % 100, 2);
            else
                putnum(&o, yoe, c);
            break;
        case 'M':
        case 'L':
            if (c >= 3)
                putname(&o, k_months[mon - 1], c);
            else
                putnum(&o, mon, c);
            break;
        case 'd':
            putnum(&o, day, c);
            break;
        case 'D':
            putnum(&o, days - smt_days_from_civil(y, 1, 1) + 1, c);
            break;
        case 'F':
            putnum(&o, (day - 1) / 7 + 1, c);
            break;
        case 'E':
            putname(&o, k_days[dow], c);
            break;
        case 'u':
            putnum(&o, dow == 0 ? 7 : dow, c);
            break;
        case 'a':
            put(&o, hour < 12 ? "AM" : "PM", 2);
            break;
        case 'H':
            putnum(&o, hour, c);
            break;
        case 'k':
            putnum(&o, hour == 0 ? 24 : hour, c);
            break;
        case 'K':
            putnum(&o, hour % 12, c);
            break;
        case 'h':
            putnum(&o, hour % 12 == 0 ? 12 : hour % 12, c);
            break;
        case 'm':
            putnum(&o, min, c);
            break;
        case 's':
            putnum(&o, sec, c);
            break;
        case 'S':
            putnum(&o, milli, c);
            break;
        case 'z':
            if (c >= 4)
                put(&o, "Coordinated Universal Time", 26);
            else
                put(&o, "UTC", 3);
            break;
        case 'Z':
            put(&o, "+0000", 5);
            break;
        case 'X':
            put(&o, "Z", 1);
            break;
        default:
            break;
        }
    }
    if (o.size > 0)
        o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
    return o.len;
}

/* ==== parse ==== */

typedef struct parse_state {
    int64_t year, month, day, hour, min, sec, milli, doy, hour12, offset_ms;
    int ampm; /* -1 unset, 0 AM, 1 PM */
    bool bc, have_doy, have_md, hour_is_12h, hour_k;
} parse_state;

static bool parse_digits(const char **p, int width, int64_t *out, int *ndigits)
{
    const char *s = *p;
    int n = 0;
    int64_t v = 0;
    bool neg = false;
    while (*s && isdigit((unsigned char)*s) && (width <= 0 || n < width) && n < 18) {
        v = v * 10 + (*s - '0');
        s++;
        n++;
    }
    if (n == 0 || (width > 0 && n < width))
        return false;
    *out = neg ? -v : v;
    *ndigits = n;
    *p = s;
    return true;
}

static int match_name(const char **p, const char *const *names, int count)
{
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < count; i++) {
            size_t len = pass == 0 ? strlen(names[i]) : 3;
            if (strncasecmp(*p, names[i], len) == 0) {
                *p += len;
                return i;
            }
        }
    return -1;
}

/* [+-]hh, [+-]hhmm, [+-]hh:mm */
static bool parse_offset(const char **p, int64_t *offset_ms)
{
    const char *s = *p;
    if (*s != '+' && *s != '-')
        return false;
    int sign = *s == '-' ? -1 : 1;
    s++;
    int h = 0, m = 0, n = 0;
    while (isdigit((unsigned char)*s) && n < 2)
        h = h * 10 + (*s++ - '0'), n++;
    if (n == 0)
        return false;
    if (*s == ':')
        s++;
    n = 0;
    while (isdigit((unsigned char)*s) && n < 2)
        m = m * 10 + (*s++ - '0'), n++;
    if (n == 1)
        return false;
    *offset_ms = sign * ((int64_t)h * 3600000 + (int64_t)m * 60000);
    *p = s;
    return true;
}

static bool parse_zone(const char **p, char letter, int64_t *offset_ms)
{
    if (**p == 'Z' && letter != 'z') {
        (*p)++;
        *offset_ms = 0;
        return true;
    }
    if (parse_offset(p, offset_ms))
        return true;
    if (strncasecmp(*p, "UTC", 3) == 0 || strncasecmp(*p, "GMT", 3) == 0) {
        *p += 3;
        *offset_ms = 0;
        parse_offset(p, offset_ms);
        return true;
    }
    if (strncmp(*p, "Coordinated Universal Time", 26) == 0) {
        *p += 26;
        *offset_ms = 0;
        return true;
    }
    return false;
}

/* SimpleDateFormat's two-digit-year rule: the century that puts the year within 80 years
 * before and 20 years after now. */
static int64_t two_digit_year(int64_t yy)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int64_t start = (int64_t)tm.tm_year + 1900 - 80;
    int64_t y = start / 100 * 100 + yy;
    if (y < start)
        y += 100;
    return y;
}

static bool parse_item(const smt_datefmt *f, size_t i, const char **p, parse_state *st)
{
    const df_item *it = &f->items[i];
    if (it->letter == 0) {
        if (strncmp(*p, it->lit, it->litlen) != 0)
            return false;
        *p += it->litlen;
        return true;
    }
    int64_t v = 0;
    int nd = 0;
    if (item_numeric(it)) {
        /* abutting numeric fields ("yyyyMMdd") take exactly their width */
        bool abut = i + 1 < f->n && item_numeric(&f->items[i + 1]);
        if (!parse_digits(p, abut ? it->count : 0, &v, &nd))
            return false;
    }
    switch (it->letter) {
    case 'y':
        st->year = (it->count <= 2 && nd == 2) ? two_digit_year(v) : v;
        break;
    case 'M':
    case 'L':
        if (it->count >= 3) {
            int idx = match_name(p, k_months, 12);
            if (idx < 0)
                return false;
            v = idx + 1;
        }
        st->month = v;
        st->have_md = true;
        break;
    case 'd':
        st->day = v, st->have_md = true;
        break;
    case 'D':
        st->doy = v, st->have_doy = true;
        break;
    case 'F':
    case 'u':
        break; /* derived from the date; accepted and ignored */
    case 'E':
        if (match_name(p, k_days, 7) < 0)
            return false;
        break;
    case 'a':
        if (strncasecmp(*p, "AM", 2) == 0)
            st->ampm = 0;
        else if (strncasecmp(*p, "PM", 2) == 0)
            st->ampm = 1;
        else
            return false;
        *p += 2;
        break;
    case 'G':
        if (strncasecmp(*p, "AD", 2) == 0)
            st->bc = false;
        else if (strncasecmp(*p, "BC", 2) == 0)
            st->bc = true;
        else
            return false;
        *p += 2;
        break;
    case 'H':
        st->hour = v, st->hour_is_12h = false, st->hour_k = false;
        break;
    case 'k':
        st->hour = v, st->hour_is_12h = false, st->hour_k = true;
        break;
    case 'K':
    case 'h':
        st->hour12 = v, st->hour_is_12h = true;
        break;
    case 'm':
        st->min = v;
        break;
    case 's':
        st->sec = v;
        break;
    case 'S':
        st->milli = v;
        break;
    case 'z':
    case 'Z':
    case 'X':
        if (!parse_zone(p, it->letter, &st->offset_ms))
            return false;
        break;
    default:
        return false;
    }
    return true;
}

int smt_datefmt_parse(const smt_datefmt *f, const char *text, int64_t *ms)
{
    parse_state st = {.year = 1970, .month = 1, .day = 1, .ampm = -1};
    const char *p = text;
    for (size_t i = 0; i < f->n; i++)
        if (!parse_item(f, i, &p, &st))
            return SL_ERR;
    /* SimpleDateFormat.parse(String) ignores text after the pattern */
    int64_t hour = st.hour;
    if (st.hour_is_12h)
        hour = st.hour12 % 12 + (st.ampm == 1 ? 12 : 0);
    else if (st.hour_k && hour == 24)
        hour = 0;
    int64_t year = st.bc ? 1 - st.year : st.year;
    int64_t days = st.have_doy && !st.have_md ? smt_days_from_civil(year, 1, 1) + st.doy - 1
                                              : smt_days_from_civil(year, st.month, st.day);
    *ms = days * MS_PER_DAY + hour * 3600000 + st.min * 60000 + st.sec * 1000 + st.milli -
          st.offset_ms;
    return SL_OK;
}
