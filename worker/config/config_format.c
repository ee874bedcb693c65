/* config/config_format.c: Connect's names for types, importance and widths, and the Java
 * string forms the config engine must reproduce (Double.toString, String.trim, List parsing). */
#include "config/config_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== names ==== */

const char *config_type_name(sl_config_type t)
{
    static const char *const names[] = {"BOOLEAN", "STRING", "INT",  "SHORT",   "LONG",
                                        "DOUBLE",  "LIST",   "CLASS", "PASSWORD"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "STRING";
}

const char *config_importance_name(sl_importance i)
{
    static const char *const names[] = {"HIGH", "MEDIUM", "LOW"};
    return (unsigned)i < 3 ? names[i] : "LOW";
}

const char *config_width_name(sl_width w)
{
    static const char *const names[] = {"NONE", "SHORT", "MEDIUM", "LONG"};
    return (unsigned)w < 4 ? names[w] : "NONE";
}

/* ==== Java-compatible formatting ==== */

void config_java_double(double d, char *buf, size_t size)
{
    if (isnan(d)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) {
        snprintf(buf, size, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    /* Shortest decimal that reads back as d, as Java's Double.toString picks. */
    char tmp[64];
    for (int p = 0; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    char digits[32] = {0};
    size_t nd = 0;
    const char *q = tmp;
    bool neg = (*q == '-');
    if (neg)
        q++;
    for (; *q && *q != 'e'; q++)
        if (isdigit((unsigned char)*q) && nd < sizeof(digits) - 1)
            digits[nd++] = *q;
    int exp10 = (*q == 'e') ? atoi(q + 1) : 0;
    if (nd == 0)
        digits[nd++] = '0';
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';

    char out[96];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++)
                out[o++] = (size_t)i < nd ? digits[i] : '0';
            out[o++] = '.';
            if ((size_t)exp10 + 1 < nd)
                for (size_t i = (size_t)exp10 + 1; i < nd; i++)
                    out[o++] = digits[i];
            else
                out[o++] = '0';
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -exp10 - 1; i++)
                out[o++] = '0';
            for (size_t i = 0; i < nd; i++)
                out[o++] = digits[i];
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        out[o++] = '.';
        if (nd > 1)
            for (size_t i = 1; i < nd; i++)
                out[o++] = digits[i];
        else
            out[o++] = '0';
        snprintf(out + o, sizeof(out) - o, "E%d", exp10);
    }
    snprintf(buf, size, "%s", out);
}

/* String.trim(): drops every char <= ' ' at both ends. Returns a new string. */
char *config_java_trim(const char *s)
{
    while (*s && (unsigned char)*s <= ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (unsigned char)s[n - 1] <= ' ')
        n--;
    return strndup(s, n);
}

static bool regex_ws(char c) /* Java regex \s */
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\x0B' || c == '\f' || c == '\r';
}

size_t config_split_list(const char *raw, char ***items)
{
    *items = NULL;
    char *t = raw ? config_java_trim(raw) : NULL;
    size_t n = 0, cap = 0;
    char **out = NULL;
    if (t != NULL && *t != '\0') {
        /* split on \s*,\s* keeping empty items (Java's split with limit -1) */
        const char *p = t;
        for (;;) {
            const char *comma = strchr(p, ',');
            const char *end = comma ? comma : p + strlen(p);
            const char *e = end;
            while (e > p && comma && regex_ws(e[-1]))
                e--;
            if (n + 2 > cap) {
                cap = cap ? cap * 2 : 8;
                char **g = realloc(out, cap * sizeof(char *));
                if (g == NULL)
                    break;
                out = g;
            }
            out[n++] = strndup(p, (size_t)(e - p));
            if (comma == NULL)
                break;
            p = comma + 1;
            while (*p && regex_ws(*p))
                p++;
        }
    }
    free(t);
    if (out == NULL)
        out = calloc(1, sizeof(char *));
    else
        out[n] = NULL;
    *items = out;
    return out ? n : 0;
}

void config_list_free(char **items)
{
    if (items == NULL)
        return;
    for (char **p = items; *p; p++)
        free(*p);
    free(items);
}

char *config_join(const char *const *items, size_t n, const char *sep, const char *open,
                        const char *close)
{
    size_t len = strlen(open) + strlen(close) + 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i] ? items[i] : "null") + strlen(sep);
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    char *p = s;
    p += sprintf(p, "%s", open);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? sep : "", items[i] ? items[i] : "null");
    sprintf(p, "%s", close);
    return s;
}

char *config_list_java_string(const char *const *items, size_t n)
{
    return config_join(items, n, ", ", "[", "]");
}
