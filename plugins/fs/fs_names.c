/* plugins/fs/fs_names.c: store.url parsing, committed/temporary file names and their parsing,
 * path joining and partition-value escaping (pure string code, unit tested). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sluice/sdk.h>

#include "fs_names.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int fs_store_root(const char *url, char **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (url == NULL || url[0] == '\0') {
        snprintf(errstr, errstr_size, "store.url must be set (file:///path or a path)");
        return SL_ERR;
    }
    const char *path = url;
    bool decode = false;
    const char *colon = strchr(url, ':');
    const char *slash = strchr(url, '/');
    if (colon != NULL && (slash == NULL || colon < slash)) {
        size_t slen = (size_t)(colon - url);
        if (slen == 4 && strncasecmp(url, "hdfs", 4) == 0) {
            snprintf(errstr, errstr_size,
                     "%s: hdfs:// is not supported: FsSinkConnector writes to a local or mounted "
                     "file system. Mount HDFS (NFS gateway or FUSE) and give its path as "
                     "file:///mount/point",
                     url);
            return SL_ERR;
        }
        if (slen != 4 || strncasecmp(url, "file", 4) != 0) {
            snprintf(errstr, errstr_size,
                     "%s: unsupported scheme '%.*s'; use file:///path or a plain path", url,
                     (int)slen, url);
            return SL_ERR;
        }
        path = colon + 1;
        decode = true;
        if (strncmp(path, "//", 2) == 0) {
            /* file://host/path: only the local host is meaningful. */
            const char *host = path + 2;
            const char *end = strchr(host, '/');
            size_t hlen = end ? (size_t)(end - host) : strlen(host);
            if (hlen != 0 && !(hlen == 9 && strncasecmp(host, "localhost", 9) == 0)) {
                snprintf(errstr, errstr_size,
                         "%s: a file URL must name the local host (file:///path)", url);
                return SL_ERR;
            }
            path = end ? end : "";
        }
        if (path[0] != '/') {
            snprintf(errstr, errstr_size, "%s: a file URL needs an absolute path", url);
            return SL_ERR;
        }
    }
    size_t len = strlen(path);
    char *p = malloc(len + 1);
    if (p == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (decode && path[i] == '%' && i + 2 < len && hexval(path[i + 1]) >= 0 &&
            hexval(path[i + 2]) >= 0) {
            p[n++] = (char)(hexval(path[i + 1]) * 16 + hexval(path[i + 2]));
            i += 2;
        } else {
            p[n++] = path[i];
        }
    }
    p[n] = '\0';
    if (memchr(p, '\0', n) != NULL || n == 0) {
        free(p);
        snprintf(errstr, errstr_size, "%s: empty or invalid path", url);
        return SL_ERR;
    }
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    if (p[0] != '/') {
        char cwd[4096];
        if (getcwd(cwd, sizeof(cwd)) == NULL) {
            snprintf(errstr, errstr_size, "%s: cannot resolve a relative path: %s", url,
                     strerror(errno));
            free(p);
            return SL_ERR;
        }
        char *abs = fs_path_join(cwd, p);
        free(p);
        if (abs == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        p = abs;
    }
    *out = p;
    return SL_OK;
}

int fs_clean_rel(const char *dir, const char *key, char **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    size_t len = dir ? strlen(dir) : 0;
    char *r = malloc(len + 1);
    if (r == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    size_t n = 0;
    const char *p = dir ? dir : "";
    while (*p) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t clen = (size_t)(p - s);
        if (clen == 0)
            break;
        if ((clen == 1 && s[0] == '.') || (clen == 2 && s[0] == '.' && s[1] == '.')) {
            snprintf(errstr, errstr_size, "%s '%s' must not contain '.' or '..' components", key,
                     dir);
            free(r);
            return SL_ERR;
        }
        if (n > 0)
            r[n++] = '/';
        memcpy(r + n, s, clen);
        n += clen;
    }
    r[n] = '\0';
    if (n == 0) {
        snprintf(errstr, errstr_size, "%s must name a directory", key);
        free(r);
        return SL_ERR;
    }
    *out = r;
    return SL_OK;
}

char *fs_path_joinv(const char *const *parts)
{
    size_t total = 1;
    for (size_t i = 0; parts[i] != NULL; i++)
        total += strlen(parts[i]) + 1;
    char *r = malloc(total);
    if (r == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; parts[i] != NULL; i++) {
        const char *s = parts[i];
        size_t l = strlen(s);
        if (l == 0)
            continue;
        if (n > 0) {
            /* Exactly one separator between parts. */
            while (l > 0 && s[0] == '/') {
                s++;
                l--;
            }
            if (r[n - 1] != '/')
                r[n++] = '/';
        }
        memcpy(r + n, s, l);
        n += l;
        while (n > 1 && r[n - 1] == '/')
            n--;
    }
    r[n] = '\0';
    return r;
}

size_t fs_name_committed(char *buf, size_t cap, const char *topic, int32_t partition, int64_t start,
                         int64_t end, int pad, const char *ext)
{
    if (pad < 0)
        pad = 0;
    if (pad > 19)
        pad = 19;
    int n = snprintf(buf, cap, "%s+%d+%0*lld+%0*lld%s", topic, (int)partition, pad,
                     (long long)start, pad, (long long)end, ext ? ext : "");
    return n < 0 ? 0 : (size_t)n;
}

static bool topic_char(int c)
{
    return isalnum(c) || c == '.' || c == '_' || c == '-';
}

/* Parse a non-negative decimal up to '+' or the end; advances *p. */
static bool parse_num(const char **p, int64_t max, int64_t *out)
{
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return false;
    int64_t v = 0;
    while (isdigit((unsigned char)*s)) {
        int d = *s - '0';
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
        s++;
    }
    *p = s;
    *out = v;
    return true;
}

bool fs_name_parse_committed(const char *name, fs_name_parts *out)
{
    const char *p = name;
    size_t tl = 0;
    while (topic_char((unsigned char)p[tl]))
        tl++;
    if (tl == 0 || tl > FS_TOPIC_MAX || p[tl] != '+')
        return false;
    memcpy(out->topic, p, tl);
    out->topic[tl] = '\0';
    p += tl + 1;
    int64_t part;
    if (!parse_num(&p, INT32_MAX, &part) || *p++ != '+')
        return false;
    out->partition = (int32_t)part;
    if (!parse_num(&p, INT64_MAX, &out->start) || *p++ != '+')
        return false;
    if (!parse_num(&p, INT64_MAX, &out->end))
        return false;
    if (*p == '\0')
        return true;
    if (*p != '.' || p[1] == '\0')
        return false;
    for (p++; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return false;
    return true;
}

size_t fs_name_temp(char *buf, size_t cap, const char *topic, int32_t partition, uint64_t rnd,
                    const char *ext)
{
    int n = snprintf(buf, cap, "%s+%d+%016llx_tmp%s", topic, (int)partition,
                     (unsigned long long)rnd, ext ? ext : "");
    return n < 0 ? 0 : (size_t)n;
}

bool fs_name_is_temp_of(const char *name, const char *topic, int32_t partition)
{
    size_t tl = strlen(topic);
    if (strncmp(name, topic, tl) != 0 || name[tl] != '+')
        return false;
    const char *p = name + tl + 1;
    int64_t part;
    if (!parse_num(&p, INT32_MAX, &part) || part != partition || *p++ != '+')
        return false;
    for (int i = 0; i < 16; i++, p++)
        if (!isxdigit((unsigned char)*p))
            return false;
    return strncmp(p, "_tmp", 4) == 0;
}

char *fs_escape_value(const char *s, size_t len)
{
    char *r = malloc(len * 3 + 7);
    if (r == NULL)
        return NULL;
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')) {
        strcpy(r, len == 1 ? "%2E" : "%2E%2E");
        return r;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '%') {
            static const char hex[] = "0123456789ABCDEF";
            r[n++] = '%';
            r[n++] = hex[c >> 4];
            r[n++] = hex[c & 15];
        } else {
            r[n++] = (char)c;
        }
    }
    r[n] = '\0';
    return r;
}
