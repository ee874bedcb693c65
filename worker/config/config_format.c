/* config/config_format.c: Connect's names for types, importance and widths, and the Java
 * string forms the config engine must reproduce (Double.toString, String.trim, List parsing). */
#include "config/config_internal.h"
#include "data/value_internal.h"

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
    value_format_double(d, buf, size); /* one Double.toString for the whole worker */
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
