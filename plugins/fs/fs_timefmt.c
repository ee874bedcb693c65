/* plugins/fs/fs_timefmt.c: Joda-Time pattern compilation and rendering (Joda's letters, not
 * SimpleDateFormat's: 'Y' is year of era, 'x' the week year, 'e' the ISO day of week). */
#define _GNU_SOURCE
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sdk.h>

#include "fs_timefmt.h"

typedef struct tf_token {
    char letter; /* 0 = literal */
    int count;
    char *text; /* literal text */
} tf_token;

struct fs_timefmt {
    tf_token *tokens;
    size_t ntokens;
    char *months[12], *short_months[12];
    char *days[7], *short_days[7]; /* Monday first */
    char *ampm[2];
};

static const char *const en_months[12] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const en_days[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};

/* ---- civil time ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = fs_floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = fs_floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ISO day of week of a day number (1970-01-01 was a Thursday). */
static int iso_dow(int64_t days)
{
    return (int)((days % 7 + 7 + 3) % 7) + 1;
}

/* Monday of ISO week 1 of `y`: the week holding January 4th. */
static int64_t iso_week1(int64_t y)
{
    int64_t jan4 = days_from_civil(y, 1, 4);
    return jan4 - (iso_dow(jan4) - 1);
}

void fs_civil_from_local_ms(int64_t local_ms, fs_civil *c)
{
    int64_t days = fs_floordiv(local_ms, 86400000);
    int64_t ms = local_ms - days * 86400000;
    civil_from_days(days, &c->year, &c->month, &c->day);
    c->hour = (int)(ms / 3600000);
    c->minute = (int)(ms / 60000 % 60);
    c->second = (int)(ms / 1000 % 60);
    c->millis = (int)(ms % 1000);
    c->dow = iso_dow(days);
    c->doy = (int)(days - days_from_civil(c->year, 1, 1)) + 1;
    int64_t wy = c->year;
    int64_t w1 = iso_week1(wy);
    if (days < w1) {
        wy--;
        w1 = iso_week1(wy);
    } else if (days >= iso_week1(wy + 1)) {
        wy++;
        w1 = iso_week1(wy);
    }
    c->week_year = wy;
    c->week = (int)((days - w1) / 7) + 1;
}

/* ---- compiling ---- */

static int add_token(fs_timefmt *f, char letter, int count, const char *text, size_t len)
{
    if (letter == 0 && f->ntokens > 0 && f->tokens[f->ntokens - 1].letter == 0) {
        /* Merge adjacent literals. */
        tf_token *t = &f->tokens[f->ntokens - 1];
        size_t old = strlen(t->text);
        char *n = realloc(t->text, old + len + 1);
        if (n == NULL)
            return SL_ERR;
        memcpy(n + old, text, len);
        n[old + len] = '\0';
        t->text = n;
        return SL_OK;
    }
    tf_token *n = realloc(f->tokens, (f->ntokens + 1) * sizeof(*n));
    if (n == NULL)
        return SL_ERR;
    f->tokens = n;
    tf_token *t = &n[f->ntokens];
    *t = (tf_token){.letter = letter, .count = count};
    if (letter == 0) {
        t->text = strndup(text, len);
        if (t->text == NULL)
            return SL_ERR;
    }
    f->ntokens++;
    return SL_OK;
}

static bool set_names_english(fs_timefmt *f)
{
    for (int i = 0; i < 12; i++) {
        f->months[i] = strdup(en_months[i]);
        f->short_months[i] = strndup(en_months[i], 3);
    }
    for (int i = 0; i < 7; i++) {
        f->days[i] = strdup(en_days[i]);
        f->short_days[i] = strndup(en_days[i], 3);
    }
    f->ampm[0] = strdup("AM");
    f->ampm[1] = strdup("PM");
    for (int i = 0; i < 12; i++)
        if (!f->months[i] || !f->short_months[i])
            return false;
    for (int i = 0; i < 7; i++)
        if (!f->days[i] || !f->short_days[i])
            return false;
    return f->ampm[0] && f->ampm[1];
}

/* Names from the C library's locale `name` (Java "fr_FR" or "fr-FR"); false if not installed. */
static bool set_names_locale(fs_timefmt *f, const char *name)
{
    char base[64], try[80];
    snprintf(base, sizeof(base), "%s", name);
    for (char *p = base; *p; p++)
        if (*p == '-')
            *p = '_';
    const char *forms[] = {"%s.UTF-8", "%s.utf8", "%s"};
    locale_t loc = (locale_t)0;
    for (size_t i = 0; i < 3 && loc == (locale_t)0; i++) {
        snprintf(try, sizeof(try), forms[i], base);
        loc = newlocale(LC_TIME_MASK, try, (locale_t)0);
    }
    if (loc == (locale_t)0)
        return false;
    for (int i = 0; i < 12; i++) {
        f->months[i] = strdup(nl_langinfo_l(MON_1 + i, loc));
        f->short_months[i] = strdup(nl_langinfo_l(ABMON_1 + i, loc));
    }
    for (int i = 0; i < 7; i++) { /* DAY_1 is Sunday; ours start on Monday */
        f->days[i] = strdup(nl_langinfo_l(DAY_1 + (i + 1) % 7, loc));
        f->short_days[i] = strdup(nl_langinfo_l(ABDAY_1 + (i + 1) % 7, loc));
    }
    const char *am = nl_langinfo_l(AM_STR, loc), *pm = nl_langinfo_l(PM_STR, loc);
    f->ampm[0] = strdup(am && *am ? am : "AM");
    f->ampm[1] = strdup(pm && *pm ? pm : "PM");
    freelocale(loc);
    return true;
}

static bool is_english(const char *locale)
{
    return locale == NULL || locale[0] == '\0' || strcmp(locale, "C") == 0 ||
           strcmp(locale, "POSIX") == 0 ||
           (strncmp(locale, "en", 2) == 0 &&
            (locale[2] == '\0' || locale[2] == '_' || locale[2] == '-'));
}

int fs_timefmt_compile(const char *pattern, const char *locale, fs_timefmt **out,
                       bool *locale_fallback, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (locale_fallback)
        *locale_fallback = false;
    if (pattern == NULL) {
        snprintf(errstr, errstr_size, "Invalid format: null pattern");
        return SL_ERR;
    }
    fs_timefmt *f = calloc(1, sizeof(*f));
    if (f == NULL)
        goto oom;
    for (const char *p = pattern; *p;) {
        char c = *p;
        if (c == '\'') {
            if (p[1] == '\'') { /* '' is a quote */
                if (add_token(f, 0, 0, "'", 1) != SL_OK)
                    goto oom;
                p += 2;
                continue;
            }
            /* Quoted text up to the closing quote; '' inside is a quote. */
            p++;
            for (;;) {
                if (*p == '\0') {
                    snprintf(errstr, errstr_size,
                             "Illegal pattern component: unterminated "
                             "quote in '%s'",
                             pattern);
                    fs_timefmt_free(f);
                    return SL_ERR;
                }
                if (*p == '\'' && p[1] == '\'') {
                    if (add_token(f, 0, 0, "'", 1) != SL_OK)
                        goto oom;
                    p += 2;
                } else if (*p == '\'') {
                    p++;
                    break;
                } else {
                    const char *s = p;
                    while (*p && *p != '\'')
                        p++;
                    if (add_token(f, 0, 0, s, (size_t)(p - s)) != SL_OK)
                        goto oom;
                }
            }
            continue;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            int n = 0;
            while (p[n] == c)
                n++;
            if (strchr("GCYyxwWeEDMdaKhHkmsSzZ", c) == NULL || c == 'W') {
                snprintf(errstr, errstr_size, "Illegal pattern component: %.*s", n, p);
                fs_timefmt_free(f);
                return SL_ERR;
            }
            if (add_token(f, c, n, NULL, 0) != SL_OK)
                goto oom;
            p += n;
            continue;
        }
        const char *s = p;
        while (*p && *p != '\'' && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            p++;
        if (add_token(f, 0, 0, s, (size_t)(p - s)) != SL_OK)
            goto oom;
    }
    bool named = false;
    if (!is_english(locale)) {
        named = set_names_locale(f, locale);
        if (!named && locale_fallback)
            *locale_fallback = true;
    }
    if (!named && !set_names_english(f))
        goto oom;
    *out = f;
    return SL_OK;
oom:
    fs_timefmt_free(f);
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

void fs_timefmt_free(fs_timefmt *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->ntokens; i++)
        free(f->tokens[i].text);
    free(f->tokens);
    for (int i = 0; i < 12; i++) {
        free(f->months[i]);
        free(f->short_months[i]);
    }
    for (int i = 0; i < 7; i++) {
        free(f->days[i]);
        free(f->short_days[i]);
    }
    free(f->ampm[0]);
    free(f->ampm[1]);
    free(f);
}

/* ---- rendering ---- */

typedef struct tf_out {
    char *buf;
    size_t cap, len;
} tf_out;

static void put(tf_out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len - 1;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void putf(tf_out *o, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A number zero-padded to at least `digits` digits (the sign goes before the padding). */
static void put_num(tf_out *o, int64_t v, int digits)
{
    if (digits > 20)
        digits = 20;
    if (v < 0)
        putf(o, "-%0*llu", digits, (unsigned long long)(-(v + 1)) + 1);
    else
        putf(o, "%0*lld", digits, (long long)v);
}

static void put_text(tf_out *o, const char *s)
{
    put(o, s, strlen(s));
}

size_t fs_timefmt_format(const fs_timefmt *f, int64_t utc_ms, const fs_tz *tz, char *buf,
                         size_t cap)
{
    tf_out o = {buf, cap, 0};
    const char *abbr = NULL;
    int32_t off = fs_tz_offset_at(tz, fs_floordiv(utc_ms, 1000), &abbr);
    fs_civil c;
    fs_civil_from_local_ms(utc_ms + (int64_t)off * 1000, &c);
    for (size_t i = 0; i < f->ntokens; i++) {
        const tf_token *t = &f->tokens[i];
        int n = t->count;
        switch (t->letter) {
        case 0:
            put_text(&o, t->text);
            break;
        case 'G':
            put_text(&o, c.year > 0 ? "AD" : "BC");
            break;
        case 'C':
            put_num(&o, (c.year > 0 ? c.year : 1 - c.year) / 100, n);
            break;
        case 'Y':
        case 'y':
        case 'x': {
            int64_t y = t->letter == 'x' ? c.week_year : c.year;
            if (t->letter == 'Y' && y <= 0)
                y = 1 - y; /* year of era */
            if (n == 2)
                put_num(&o, ((y % 100) + 100) % 100, 2);
            else
                put_num(&o, y, n);
            break;
        }
        case 'w':
            put_num(&o, c.week, n);
            break;
        case 'e':
            put_num(&o, c.dow, n);
            break;
        case 'E':
            put_text(&o, n >= 4 ? f->days[c.dow - 1] : f->short_days[c.dow - 1]);
            break;
        case 'D':
            put_num(&o, c.doy, n);
            break;
        case 'M':
            if (n >= 4)
                put_text(&o, f->months[c.month - 1]);
            else if (n == 3)
                put_text(&o, f->short_months[c.month - 1]);
            else
                put_num(&o, c.month, n);
            break;
        case 'd':
            put_num(&o, c.day, n);
            break;
        case 'a':
            put_text(&o, f->ampm[c.hour >= 12]);
            break;
        case 'K':
            put_num(&o, c.hour % 12, n);
            break;
        case 'h':
            put_num(&o, c.hour % 12 == 0 ? 12 : c.hour % 12, n);
            break;
        case 'H':
            put_num(&o, c.hour, n);
            break;
        case 'k':
            put_num(&o, c.hour == 0 ? 24 : c.hour, n);
            break;
        case 'm':
            put_num(&o, c.minute, n);
            break;
        case 's':
            put_num(&o, c.second, n);
            break;
        case 'S': {
            /* Fraction of second: the first n digits of the milliseconds (then zeros). */
            char digits[4];
            snprintf(digits, sizeof(digits), "%03d", c.millis);
            for (int k = 0; k < n; k++)
                put(&o, k < 3 ? &digits[k] : "0", 1);
            break;
        }
        case 'z':
            put_text(&o, abbr ? abbr : fs_tz_id(tz));
            break;
        case 'Z':
            if (n >= 3) {
                put_text(&o, fs_tz_id(tz));
            } else {
                int32_t a = off < 0 ? -off : off;
                putf(&o, n == 1 ? "%c%02d%02d" : "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600,
                     a / 60 % 60);
            }
            break;
        default:
            break;
        }
    }
    if (cap > 0)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}
