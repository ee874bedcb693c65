/* rest/request.c: the transport-free request: splitting and percent-decoding the request
 * target into path segments and query parameters, UTF-8 checks, Jersey-style query reading. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest/rest_internal.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool rest_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t need;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (len - i <= need)
            goto bad;
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        /* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            goto bad;
        i += need + 1;
    }
    return true;
bad:
    if (bad_offset)
        *bad_offset = i;
    return false;
}

char *rest_url_decode(const char *s, size_t len, bool plus_is_space)
{
    char *out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len) {
                free(out);
                return NULL;
            }
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0) {
                free(out);
                return NULL;
            }
            c = (char)(h * 16 + l);
            if (c == '\0') {
                free(out);
                return NULL;
            }
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        out[o++] = c;
    }
    out[o] = '\0';
    if (!rest_utf8_valid(out, o, NULL)) {
        free(out);
        return NULL;
    }
    return out;
}

void rest_request_init(rest_request *req)
{
    memset(req, 0, sizeof(*req));
    req->serve = REST_SERVE_ALL;
}

void rest_request_fini(rest_request *req)
{
    for (size_t i = 0; i < req->nseg; i++)
        free(req->seg[i]);
    req->nseg = 0;
    for (size_t i = 0; i < req->nquery; i++) {
        free(req->query[i].key);
        free(req->query[i].value);
    }
    free(req->query);
    req->query = NULL;
    req->nquery = 0;
    json_decref(req->json);
    req->json = NULL;
}

/* Why a decode failed, for the reply: a raw NUL or bad escape is the client's error (400);
 * there is nothing else to tell apart cheaply, so one message covers both. */
static void bad_escape(herder_reply *r)
{
    herder_reply_error(r, 400, "Malformed request URL: invalid percent-encoding or UTF-8");
}

static int parse_query(rest_request *req, const char *q, herder_reply *r)
{
    /* Count '&' first so the array is allocated once. */
    size_t cap = 1;
    for (const char *p = q; *p; p++)
        if (*p == '&')
            cap++;
    req->query = calloc(cap, sizeof(*req->query));
    if (req->query == NULL) {
        herder_reply_error(r, 500, "Out of memory");
        return 500;
    }
    const char *p = q;
    for (;;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            char *key = rest_url_decode(p, klen, true);
            char *value = eq ? rest_url_decode(eq + 1, len - klen - 1, true) : strdup("");
            if (key == NULL || value == NULL) {
                free(key);
                free(value);
                bad_escape(r);
                return 400;
            }
            req->query[req->nquery].key = key;
            req->query[req->nquery].value = value;
            req->nquery++;
        }
        if (amp == NULL)
            break;
        p = amp + 1;
    }
    return 0;
}

int rest_request_parse_target(rest_request *req, const char *target, herder_reply *r)
{
    if (target == NULL || target[0] != '/') {
        herder_reply_error(r, 404, "HTTP 404 Not Found");
        return 404;
    }
    const char *q = strchr(target, '?');
    const char *fragment = strchr(target, '#');
    size_t path_len = q ? (size_t)(q - target) : strlen(target);
    if (fragment && (size_t)(fragment - target) < path_len)
        path_len = (size_t)(fragment - target);

    /* Split on raw '/', then decode each segment, so that "%2F" stays inside a name. */
    const char *p = target + 1;
    const char *end = target + path_len;
    if (end > p && end[-1] == '/')
        end--;
    if (p == end && path_len > 1) {
        /* "//": nothing but an empty segment. */
        herder_reply_error(r, 404, "HTTP 404 Not Found");
        return 404;
    }
    while (p < end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *seg_end = slash ? slash : end;
        if (seg_end == p || req->nseg == REST_MAX_SEGMENTS) {
            herder_reply_error(r, 404, "HTTP 404 Not Found");
            return 404;
        }
        char *seg = rest_url_decode(p, (size_t)(seg_end - p), false);
        if (seg == NULL) {
            bad_escape(r);
            return 400;
        }
        req->seg[req->nseg++] = seg;
        p = seg_end + (slash ? 1 : 0);
        if (slash && p == end) {
            /* "/a//" style: an empty last segment after trimming one slash. */
            herder_reply_error(r, 404, "HTTP 404 Not Found");
            return 404;
        }
    }
    if (q != NULL) {
        char *query = strdup(q + 1);
        if (query == NULL) {
            herder_reply_error(r, 500, "Out of memory");
            return 500;
        }
        char *hash = strchr(query, '#');
        if (hash)
            *hash = '\0';
        int rc = parse_query(req, query, r);
        free(query);
        if (rc != 0)
            return rc;
    }
    return 0;
}

const char *rest_query_get(const rest_request *req, const char *key)
{
    /* Jersey binds a single-valued @QueryParam to the first occurrence. */
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, key) == 0)
            return req->query[i].value;
    return NULL;
}

bool rest_query_bool(const rest_request *req, const char *key, bool def)
{
    const char *v = rest_query_get(req, key);
    if (v == NULL)
        return def;
    return strcasecmp(v, "true") == 0;
}
