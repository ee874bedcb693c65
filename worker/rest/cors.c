/* rest/cors.c: cross-origin requests as Jetty's CrossOriginFilter answers them with the
 * settings Connect gives it (allowedOrigins, allowedMethods; the filter's other defaults). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest/rest_security.h"

/* CrossOriginFilter's defaults for what Connect does not configure. */
#define CORS_DEFAULT_METHODS "GET,POST,HEAD"
#define CORS_ALLOWED_HEADERS "X-Requested-With,Content-Type,Accept,Origin"
#define CORS_MAX_AGE "1800"

typedef struct str_list {
    char **v;
    size_t n;
} str_list;

struct rest_cors {
    bool any_origin;
    str_list origins;
    str_list methods;
    str_list headers;
    char *methods_joined; /* Access-Control-Allow-Methods */
    char *headers_joined; /* Access-Control-Allow-Headers */
};

static void list_free(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Comma-separated, trimmed, blanks dropped. SL_ERR on out of memory. */
static int list_split(const char *s, str_list *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = s ? s : "";
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *a = p;
        while (len > 0 && isspace((unsigned char)*a))
            a++, len--;
        while (len > 0 && isspace((unsigned char)a[len - 1]))
            len--;
        if (len > 0) {
            char **v = realloc(out->v, (out->n + 1) * sizeof(*v));
            char *item = strndup(a, len);
            if (v == NULL || item == NULL) {
                free(item);
                if (v != NULL)
                    out->v = v;
                list_free(out);
                return SL_ERR;
            }
            out->v = v;
            out->v[out->n++] = item;
        }
        if (comma == NULL)
            return SL_OK;
        p = comma + 1;
    }
}

static char *list_join(const str_list *l)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    char *out = malloc(len);
    if (out == NULL)
        return NULL;
    out[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            strcat(out, ",");
        strcat(out, l->v[i]);
    }
    return out;
}

void rest_cors_free(rest_cors *c)
{
    if (c == NULL)
        return;
    list_free(&c->origins);
    list_free(&c->methods);
    list_free(&c->headers);
    free(c->methods_joined);
    free(c->headers_joined);
    free(c);
}

static bool blank(const char *s)
{
    for (; s != NULL && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

rest_cors *rest_cors_new(const char *origins, const char *methods)
{
    if (blank(origins))
        return NULL;
    rest_cors *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    if (list_split(origins, &c->origins) != SL_OK ||
        list_split(blank(methods) ? CORS_DEFAULT_METHODS : methods, &c->methods) != SL_OK ||
        list_split(CORS_ALLOWED_HEADERS, &c->headers) != SL_OK) {
        rest_cors_free(c);
        return NULL;
    }
    for (size_t i = 0; i < c->origins.n; i++)
        if (strcmp(c->origins.v[i], "*") == 0)
            c->any_origin = true;
    c->methods_joined = list_join(&c->methods);
    c->headers_joined = list_join(&c->headers);
    if (c->methods_joined == NULL || c->headers_joined == NULL) {
        rest_cors_free(c);
        return NULL;
    }
    return c;
}

/* Jetty turns an allowed origin containing '*' into a regex where '*' is ".*" and '.' is
 * literal: a glob with '*' only. */
static bool glob_match(const char *pat, const char *s, size_t slen)
{
    while (*pat) {
        if (*pat == '*') {
            pat++;
            for (size_t k = 0; k <= slen; k++)
                if (glob_match(pat, s + k, slen - k))
                    return true;
            return false;
        }
        if (slen == 0 || *pat != *s)
            return false;
        pat++, s++, slen--;
    }
    return slen == 0;
}

/* CrossOriginFilter.originMatches: the Origin header may hold several space-separated
 * origins; one allowed is enough. */
static bool origin_allowed(const rest_cors *c, const char *origin)
{
    if (c->any_origin)
        return true;
    const char *p = origin;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == 0)
            break;
        for (size_t i = 0; i < c->origins.n; i++) {
            const char *a = c->origins.v[i];
            if (strchr(a, '*') ? glob_match(a, p, len)
                               : (strlen(a) == len && memcmp(a, p, len) == 0))
                return true;
        }
        p += len;
    }
    return false;
}

bool rest_cors_is_preflight(const char *method, const char *acr_method)
{
    return method != NULL && strcasecmp(method, "OPTIONS") == 0 && acr_method != NULL;
}

static bool headers_allowed(const rest_cors *c, const char *requested)
{
    str_list req;
    if (list_split(requested, &req) != SL_OK)
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < req.n; i++) {
        bool found = false;
        for (size_t k = 0; !found && k < c->headers.n; k++)
            found = strcasecmp(req.v[i], c->headers.v[k]) == 0;
        ok = found;
    }
    list_free(&req);
    return ok;
}

int rest_cors_headers(const rest_cors *c, const char *method, const char *origin,
                      const char *acr_method, const char *acr_headers, rest_headers *out)
{
    if (c == NULL || origin == NULL || origin[0] == '\0' || !origin_allowed(c, origin))
        return SL_OK; /* Jetty lets the request through without CORS headers */
    bool preflight = rest_cors_is_preflight(method, acr_method);
    if (preflight) {
        /* The requested method must be in the list exactly (Jetty compares case-sensitively). */
        bool method_ok = false;
        for (size_t i = 0; !method_ok && i < c->methods.n; i++)
            method_ok = strcmp(c->methods.v[i], acr_method) == 0;
        if (!method_ok || (acr_headers != NULL && !headers_allowed(c, acr_headers)))
            return SL_OK;
    }
    int rc = rest_headers_put(out, "Access-Control-Allow-Origin", origin, true);
    if (rc == SL_OK && !c->any_origin)
        rc = rest_headers_put(out, "Vary", "Origin", false);
    if (rc == SL_OK)
        rc = rest_headers_put(out, "Access-Control-Allow-Credentials", "true", true);
    if (rc == SL_OK && preflight) {
        rc = rest_headers_put(out, "Access-Control-Max-Age", CORS_MAX_AGE, true);
        if (rc == SL_OK)
            rc = rest_headers_put(out, "Access-Control-Allow-Methods", c->methods_joined, true);
        if (rc == SL_OK)
            rc = rest_headers_put(out, "Access-Control-Allow-Headers", c->headers_joined, true);
    }
    return rc;
}
