/* rest/headers.c: response header lists and Connect's response.http.headers.config rules
 * (RestServerConfig validation, applied as Jetty's HeaderFilter does to every response). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rest/rest_security.h"

/* ---- header lists ---- */

int rest_headers_put(rest_headers *h, const char *name, const char *value, bool replace)
{
    if (replace) {
        size_t k = 0;
        for (size_t i = 0; i < h->n; i++) {
            if (strcasecmp(h->v[i].name, name) == 0) {
                free(h->v[i].name);
                free(h->v[i].value);
            } else {
                h->v[k++] = h->v[i];
            }
        }
        h->n = k;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8;
        rest_header *v = realloc(h->v, cap * sizeof(*v));
        if (v == NULL)
            return SL_ERR;
        h->v = v;
        h->cap = cap;
    }
    char *n = strdup(name), *v = strdup(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        return SL_ERR;
    }
    h->v[h->n++] = (rest_header){.name = n, .value = v};
    return SL_OK;
}

const char *rest_headers_get(const rest_headers *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->v[i].name, name) == 0)
            return h->v[i].value;
    return NULL;
}

void rest_headers_fini(rest_headers *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].name);
        free(h->v[i].value);
    }
    free(h->v);
    memset(h, 0, sizeof(*h));
}

void rest_http_date(long long ms, char *buf, size_t size)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(buf, size, "Thu, 01 Jan 1970 00:00:00 GMT");
        return;
    }
    /* Names written out rather than strftime's %a/%b, which follow the locale. */
    snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- rules ---- */

void rest_header_rules_free(rest_header_rule *rules, size_t n)
{
    for (size_t i = 0; rules != NULL && i < n; i++) {
        free(rules[i].name);
        free(rules[i].value);
    }
    free(rules);
}

/* RFC 7230 token characters, for header names. */
static bool token_char(char c)
{
    return isalnum((unsigned char)c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static char *trimmed(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s))
        s++, len--;
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return strndup(s, len);
}

/* Jetty's StringUtil.csvSplit: comma-separated items, trimmed, an item may be double-quoted
 * (with \" and \\ escapes) to hold commas. Returns the count, or -1 (OOM or unbalanced quote). */
static int csv_split(const char *s, char ***out)
{
    char **items = NULL;
    size_t n = 0;
    const char *p = s;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        char *item = NULL;
        if (*p == '"') {
            size_t cap = strlen(p) + 1, k = 0;
            item = malloc(cap);
            if (item == NULL)
                goto fail;
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                item[k++] = *p;
            }
            item[k] = '\0';
            if (*p != '"') {
                free(item);
                goto fail;
            }
            p++;
            while (*p && *p != ',')
                p++;
        } else {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            item = trimmed(p, len);
            if (item == NULL)
                goto fail;
            p += len;
        }
        if (item[0] == '\0') {
            free(item); /* blank items between commas are skipped */
        } else {
            char **grown = realloc(items, (n + 1) * sizeof(*items));
            if (grown == NULL) {
                free(item);
                goto fail;
            }
            items = grown;
            items[n++] = item;
        }
        if (*p == ',')
            p++;
    }
    *out = items;
    return (int)n;
fail:
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
    return -1;
}

static int parse_rule(const char *config, rest_header_rule *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    /* "<action><blanks><name>:<value>" */
    const char *p = config;
    const char *sp = p;
    while (*sp && !isspace((unsigned char)*sp))
        sp++;
    const char *rest = sp;
    while (isspace((unsigned char)*rest))
        rest++;
    if (*sp == '\0' || *rest == '\0') {
        snprintf(errstr, errstr_size,
                 "Invalid format of header config '%s'. Expected: '[action] [header name]:[header "
                 "value]'",
                 config);
        return SL_ERR;
    }
    size_t alen = (size_t)(sp - p);
    static const struct {
        const char *name;
        rest_rule_action action;
    } actions[] = {{"set", REST_RULE_SET},
                   {"add", REST_RULE_ADD},
                   {"setDate", REST_RULE_SET_DATE},
                   {"addDate", REST_RULE_ADD_DATE}};
    bool found = false;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strlen(actions[i].name) == alen && strncasecmp(p, actions[i].name, alen) == 0) {
            out->action = actions[i].action;
            found = true;
        }
    }
    if (!found) {
        snprintf(errstr, errstr_size,
                 "Invalid header config action: '%.*s'. Expected one of [set, add, setDate, "
                 "addDate]",
                 (int)alen, p);
        return SL_ERR;
    }
    /* Connect splits on every ':' and wants exactly two parts; we split at the first, so values
     * such as "default-src https:" are accepted too. */
    const char *colon = strchr(rest, ':');
    char *value = colon ? trimmed(colon + 1, strlen(colon + 1)) : NULL;
    if (colon == NULL || value == NULL || value[0] == '\0') {
        free(value);
        snprintf(errstr, errstr_size,
                 "Invalid format of header name and header value pair '%s'. Expected: '[header "
                 "name]:[header value]'",
                 rest);
        return SL_ERR;
    }
    char *name = trimmed(rest, (size_t)(colon - rest));
    bool ok = name != NULL && name[0] != '\0';
    for (const char *c = name; ok && *c; c++)
        ok = token_char(*c);
    if (!ok) {
        snprintf(errstr, errstr_size,
                 "Invalid header name '%s'. The '[header name]' cannot contain whitespace",
                 name ? name : "");
        free(name);
        free(value);
        return SL_ERR;
    }
    for (const char *c = value; *c; c++) {
        if ((unsigned char)*c < 0x20 && *c != '\t') {
            snprintf(errstr, errstr_size, "Invalid header value for '%s': control character", name);
            free(name);
            free(value);
            return SL_ERR;
        }
    }
    if (out->action == REST_RULE_SET_DATE || out->action == REST_RULE_ADD_DATE) {
        char *end = NULL;
        errno = 0;
        out->offset_ms = strtoll(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0') {
            snprintf(errstr, errstr_size,
                     "Invalid header value '%s' for %s: expected a number of milliseconds", value,
                     name);
            free(name);
            free(value);
            return SL_ERR;
        }
    }
    out->name = name;
    out->value = value;
    return SL_OK;
}

int rest_header_rules_parse(const char *config, rest_header_rule **rules, size_t *n, char *errstr,
                            size_t errstr_size)
{
    *rules = NULL;
    *n = 0;
    if (config == NULL)
        return SL_OK;
    char **items = NULL;
    int count = csv_split(config, &items);
    if (count < 0) {
        snprintf(errstr, errstr_size,
                 "Invalid response.http.headers.config '%s': unbalanced quote or out of memory",
                 config);
        return SL_ERR;
    }
    rest_header_rule *v = count ? calloc((size_t)count, sizeof(*v)) : NULL;
    int rc = count && v == NULL ? SL_ERR : SL_OK;
    if (rc != SL_OK)
        snprintf(errstr, errstr_size, "Out of memory");
    size_t k = 0;
    for (int i = 0; rc == SL_OK && i < count; i++) {
        rc = parse_rule(items[i], &v[k], errstr, errstr_size);
        if (rc == SL_OK)
            k++;
    }
    for (int i = 0; i < count; i++)
        free(items[i]);
    free(items);
    if (rc != SL_OK) {
        rest_header_rules_free(v, k);
        return SL_ERR;
    }
    *rules = v;
    *n = k;
    return SL_OK;
}

int rest_header_rules_apply(const rest_header_rule *rules, size_t n, long long now_ms,
                            rest_headers *h)
{
    for (size_t i = 0; i < n; i++) {
        const rest_header_rule *r = &rules[i];
        char date[64];
        const char *value = r->value;
        if (r->action == REST_RULE_SET_DATE || r->action == REST_RULE_ADD_DATE) {
            rest_http_date(now_ms + r->offset_ms, date, sizeof(date));
            value = date;
        }
        bool replace = r->action == REST_RULE_SET || r->action == REST_RULE_SET_DATE;
        if (rest_headers_put(h, r->name, value, replace) != SL_OK)
            return SL_ERR;
    }
    return SL_OK;
}
