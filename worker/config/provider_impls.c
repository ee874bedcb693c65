/* config/provider_impls.c: Kafka's three built-in config providers (FileConfigProvider,
 * EnvVarConfigProvider, DirectoryConfigProvider) with allowed.paths and allowlist.pattern. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config/configdef.h"
#include "config/properties.h"
#include "config/providers_internal.h"
#include "util/log.h"

#define LG "config"

extern char **environ;

/* Bigger files are refused: a placeholder must not make the worker read a disk image. */
#define PROVIDER_MAX_FILE (16u << 20)

static const struct {
    provider_kind kind;
    const char *simple; /* the Java simple name */
    const char *alias;  /* a short alias beyond the simple name without "ConfigProvider" */
} k_classes[] = {
    {PROVIDER_FILE, "FileConfigProvider", "file"},
    {PROVIDER_ENV, "EnvVarConfigProvider", "env"},
    {PROVIDER_DIRECTORY, "DirectoryConfigProvider", "dir"},
};

#define JAVA_PACKAGE "org.apache.kafka.common.config.provider."

static int class_kind(const char *cls)
{
    size_t plen = strlen(JAVA_PACKAGE);
    const char *simple = strncasecmp(cls, JAVA_PACKAGE, plen) == 0 ? cls + plen : cls;
    for (size_t i = 0; i < sizeof(k_classes) / sizeof(k_classes[0]); i++) {
        const char *s = k_classes[i].simple;
        size_t base = strlen(s) - strlen("ConfigProvider");
        if (strcasecmp(simple, s) == 0 ||
            (simple == cls && ((strlen(cls) == base && strncasecmp(cls, s, base) == 0) ||
                               strcasecmp(cls, k_classes[i].alias) == 0)))
            return (int)k_classes[i].kind;
    }
    return -1;
}

static const char *kind_simple(provider_kind k)
{
    return k_classes[k].simple;
}

/* ---- paths ---- */

char *provider_path_normalize(const char *path)
{
    size_t len = strlen(path);
    bool abs = path[0] == '/';
    /* Components kept so far, as offsets into `path`. */
    size_t *off = malloc((len / 2 + 2) * sizeof(*off));
    size_t *clen = malloc((len / 2 + 2) * sizeof(*clen));
    char *out = malloc(len + 2);
    if (off == NULL || clen == NULL || out == NULL) {
        free(off), free(clen), free(out);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && path[i] == '/')
            i++;
        size_t b = i;
        while (i < len && path[i] != '/')
            i++;
        size_t l = i - b;
        if (l == 0 || (l == 1 && path[b] == '.'))
            continue;
        if (l == 2 && path[b] == '.' && path[b + 1] == '.') {
            bool top_is_dotdot =
                n > 0 && clen[n - 1] == 2 && path[off[n - 1]] == '.' && path[off[n - 1] + 1] == '.';
            if (n > 0 && !top_is_dotdot) {
                n--;
                continue;
            }
            if (abs)
                continue; /* "/.." is "/" */
        }
        off[n] = b;
        clen[n] = l;
        n++;
    }
    size_t w = 0;
    if (abs)
        out[w++] = '/';
    for (size_t k = 0; k < n; k++) {
        if (k > 0)
            out[w++] = '/';
        memcpy(out + w, path + off[k], clen[k]);
        w += clen[k];
    }
    out[w] = '\0';
    free(off);
    free(clen);
    return out;
}

bool provider_path_under(const char *path, const char *root)
{
    if (strcmp(root, "/") == 0)
        return path[0] == '/';
    size_t rl = strlen(root);
    return strncmp(path, root, rl) == 0 && (path[rl] == '\0' || path[rl] == '/');
}

/* allowed.paths as AllowedPaths.configureAllowedPaths: each absolute and existing. */
static int configure_allowed(provider *pv, const char *value, char *errstr, size_t errstr_size)
{
    char **items = NULL;
    size_t n = config_split_list(value, &items);
    if (n > 0 && (pv->allowed = calloc(n, sizeof(char *))) == NULL) {
        config_list_free(items);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i][0] == '\0')
            continue;
        char *norm = provider_path_normalize(items[i]);
        struct stat st;
        if (norm == NULL || norm[0] != '/' || stat(norm, &st) != 0) {
            snprintf(errstr, errstr_size,
                     "config.providers.%s.param.allowed.paths: Path %s is not valid. The path "
                     "should be absolute and exist",
                     pv->name, norm ? norm : items[i]);
            free(norm);
            config_list_free(items);
            return SL_ERR;
        }
        pv->allowed[pv->nallowed++] = norm;
    }
    config_list_free(items);
    if (pv->nallowed == 0) { /* only empty items: as an empty value, every path */
        free(pv->allowed);
        pv->allowed = NULL;
    }
    return SL_OK;
}

/* The path to read, or NULL with errstr when allowed.paths refuses it. Caller frees. */
static char *checked_path(const provider *pv, const char *path, char *errstr, size_t errstr_size)
{
    if (pv->allowed == NULL)
        return strdup(path);
    char *norm = provider_path_normalize(path);
    if (norm == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < pv->nallowed; i++)
        if (provider_path_under(norm, pv->allowed[i]))
            return norm;
    snprintf(errstr, errstr_size,
             "config provider '%s': path %s is not allowed by "
             "config.providers.%s.param.allowed.paths",
             pv->name, path, pv->name);
    free(norm);
    return NULL;
}

/* ---- env ---- */

static int configure_env(provider *pv, const char *pattern, char *errstr, size_t errstr_size)
{
    regex_t re;
    if (pattern != NULL) {
        /* Java's Matcher.matches(): the whole name must match. */
        size_t cap = strlen(pattern) + 8;
        char *anchored = malloc(cap);
        if (anchored == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        snprintf(anchored, cap, "^(%s)$", pattern);
        int rc = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);
        free(anchored);
        if (rc != 0) {
            char why[256];
            regerror(rc, &re, why, sizeof(why));
            snprintf(errstr, errstr_size,
                     "config.providers.%s.param.allowlist.pattern: invalid regular expression "
                     "'%s': %s",
                     pv->name, pattern, why);
            return SL_ERR;
        }
        pv->has_allowlist = true;
    }
    pv->env = sl_props_new();
    for (char **e = environ; pv->env != NULL && e != NULL && *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL || eq == *e)
            continue;
        char *name = strndup(*e, (size_t)(eq - *e));
        if (name == NULL)
            break;
        if (pattern == NULL || regexec(&re, name, 0, NULL, 0) == 0)
            sl_props_set(pv->env, name, eq + 1);
        free(name);
    }
    if (pattern != NULL)
        regfree(&re);
    if (pv->env == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return SL_OK;
}

static int env_lookup(const provider *pv, const char *path, const char *key, char **out,
                      char *errstr, size_t errstr_size)
{
    if (path[0] != '\0') {
        snprintf(errstr, errstr_size,
                 "config provider '%s': Path is not supported for EnvVarConfigProvider, invalid "
                 "value '%s'",
                 pv->name, path);
        return SL_ERR;
    }
    const char *v = sl_props_get(pv->env, key);
    if (v == NULL) {
        snprintf(
            errstr, errstr_size, "config provider '%s': environment variable %s is not set%s%s%s",
            pv->name, key, pv->has_allowlist ? " or not allowed by config.providers." : "",
            pv->has_allowlist ? pv->name : "", pv->has_allowlist ? ".param.allowlist.pattern" : "");
        return SL_ERR;
    }
    *out = strdup(v);
    return *out ? SL_OK : SL_ERR;
}

/* ---- file ---- */

/* A regular file of bounded size: keeps devices, FIFOs and huge files out of reach. */
static int check_regular(const provider *pv, const char *path, char *errstr, size_t errstr_size)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(errstr, errstr_size, "config provider '%s': %s %s: %s", pv->name,
                 pv->kind == PROVIDER_FILE ? "Could not read properties from file"
                                           : "cannot read file",
                 path, strerror(errno));
        return SL_ERR;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(errstr, errstr_size, "config provider '%s': %s is not a regular file", pv->name,
                 path);
        return SL_ERR;
    }
    if ((unsigned long long)st.st_size > PROVIDER_MAX_FILE) {
        snprintf(errstr, errstr_size, "config provider '%s': %s is larger than %u bytes", pv->name,
                 path, PROVIDER_MAX_FILE);
        return SL_ERR;
    }
    return SL_OK;
}

static int file_lookup(const provider *pv, const char *path, const char *key, provider_cache *cache,
                       char **out, char *errstr, size_t errstr_size)
{
    if (path[0] == '\0') {
        snprintf(errstr, errstr_size,
                 "config provider '%s': no file path (write ${%s:/path/to/file.properties:%s})",
                 pv->name, pv->name, key);
        return SL_ERR;
    }
    char *p = checked_path(pv, path, errstr, errstr_size);
    if (p == NULL)
        return SL_ERR;
    const sl_props *data = NULL;
    for (size_t i = 0; i < cache->n && data == NULL; i++)
        if (cache->e[i].p == pv && strcmp(cache->e[i].path, p) == 0)
            data = cache->e[i].data;
    if (data == NULL) {
        sl_props *parsed = NULL;
        char why[1024];
        if (check_regular(pv, p, errstr, errstr_size) != SL_OK) {
            free(p);
            return SL_ERR;
        }
        if (properties_parse_file(p, &parsed, why, sizeof(why)) != SL_OK) {
            /* why is "<path>: <reason>" or "<path>:<line>: <reason>", never file content */
            snprintf(errstr, errstr_size,
                     "config provider '%s': Could not read properties from file %s", pv->name, why);
            free(p);
            return SL_ERR;
        }
        if (cache->n == cache->cap) {
            size_t cap = cache->cap ? cache->cap * 2 : 4;
            provider_cache_entry *e = realloc(cache->e, cap * sizeof(*e));
            if (e == NULL) {
                sl_props_destroy(parsed);
                free(p);
                snprintf(errstr, errstr_size, "out of memory");
                return SL_ERR;
            }
            cache->e = e;
            cache->cap = cap;
        }
        cache->e[cache->n++] = (provider_cache_entry){.p = pv, .path = p, .data = parsed};
        data = parsed;
        p = NULL;
    }
    free(p);
    const char *v = sl_props_get(data, key);
    if (v == NULL) {
        snprintf(errstr, errstr_size, "config provider '%s': file %s has no key '%s'", pv->name,
                 path, key);
        return SL_ERR;
    }
    *out = strdup(v);
    return *out ? SL_OK : SL_ERR;
}

/* ---- directory ---- */

static int dir_lookup(const provider *pv, const char *path, const char *key, char **out,
                      char *errstr, size_t errstr_size)
{
    if (path[0] == '\0') {
        snprintf(errstr, errstr_size,
                 "config provider '%s': no directory path (write ${%s:/path/to/dir:%s})", pv->name,
                 pv->name, key);
        return SL_ERR;
    }
    char *dir = checked_path(pv, path, errstr, errstr_size);
    if (dir == NULL)
        return SL_ERR;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(errstr, errstr_size, "config provider '%s': %s is not a directory", pv->name,
                 path);
        free(dir);
        return SL_ERR;
    }
    /* Kafka lists the directory and matches file names, so a key is one name: no '/', no
     * "." or "..". */
    bool bad = key[0] == '\0' || strchr(key, '/') != NULL || strcmp(key, ".") == 0 ||
               strcmp(key, "..") == 0;
    size_t cap = strlen(dir) + strlen(key) + 2;
    char *file = bad ? NULL : malloc(cap);
    if (file != NULL)
        snprintf(file, cap, "%s/%s", dir, key);
    free(dir);
    if (file == NULL || stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(errstr, errstr_size, "config provider '%s': directory %s has no regular file '%s'",
                 pv->name, path, key);
        free(file);
        return SL_ERR;
    }
    if (check_regular(pv, file, errstr, errstr_size) != SL_OK) {
        free(file);
        return SL_ERR;
    }
    FILE *f = fopen(file, "rb");
    char *buf = f ? malloc((size_t)st.st_size + 1) : NULL;
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    int e = errno;
    bool failed = f == NULL || buf == NULL || ferror(f);
    if (f)
        fclose(f);
    if (failed) {
        snprintf(errstr, errstr_size, "config provider '%s': cannot read file %s: %s", pv->name,
                 file, buf == NULL && f != NULL ? "out of memory" : strerror(e));
        free(buf);
        free(file);
        return SL_ERR;
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n) != NULL) {
        snprintf(errstr, errstr_size, "config provider '%s': file %s holds a NUL byte", pv->name,
                 file);
        free(buf);
        free(file);
        return SL_ERR;
    }
    free(file);
    *out = buf; /* the whole content, trailing newline included, as Kafka reads it */
    return SL_OK;
}

/* ---- the provider interface ---- */

int provider_configure(provider *pv, const char *class_name, const sl_props *params, char *errstr,
                       size_t errstr_size)
{
    int kind = class_name ? class_kind(class_name) : -1;
    if (kind < 0) {
        snprintf(
            errstr, errstr_size,
            "config.providers.%s.class: unknown config provider class '%s' (known: " JAVA_PACKAGE
            "FileConfigProvider, EnvVarConfigProvider, "
            "DirectoryConfigProvider)",
            pv->name, class_name ? class_name : "null");
        return SL_ERR;
    }
    pv->kind = (provider_kind)kind;
    const char *known = pv->kind == PROVIDER_ENV ? "allowlist.pattern" : "allowed.paths";
    for (size_t i = 0; i < sl_props_count(params); i++)
        if (strcmp(sl_props_key_at(params, i), known) != 0)
            LOG_WARN(LG, "ignoring config.providers.%s.param.%s: %s takes only %s", pv->name,
                     sl_props_key_at(params, i), kind_simple(pv->kind), known);
    if (pv->kind == PROVIDER_ENV)
        return configure_env(pv, sl_props_get(params, "allowlist.pattern"), errstr, errstr_size);
    const char *allowed = sl_props_get(params, "allowed.paths");
    if (allowed != NULL && allowed[0] != '\0')
        return configure_allowed(pv, allowed, errstr, errstr_size);
    return SL_OK;
}

void provider_fini(provider *pv)
{
    for (size_t i = 0; i < pv->nallowed; i++)
        free(pv->allowed[i]);
    free(pv->allowed);
    sl_props_destroy(pv->env);
    free(pv->name);
    memset(pv, 0, sizeof(*pv));
}

int provider_lookup(const provider *pv, const char *path, const char *key, provider_cache *cache,
                    char **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    int rc;
    switch (pv->kind) {
    case PROVIDER_FILE:
        rc = file_lookup(pv, path, key, cache, out, errstr, errstr_size);
        break;
    case PROVIDER_ENV:
        rc = env_lookup(pv, path, key, out, errstr, errstr_size);
        break;
    default:
        rc = dir_lookup(pv, path, key, out, errstr, errstr_size);
        break;
    }
    if (rc == SL_OK && *out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        rc = SL_ERR;
    }
    return rc;
}

void provider_cache_fini(provider_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].path);
        sl_props_destroy(c->e[i].data);
    }
    free(c->e);
    memset(c, 0, sizeof(*c));
}
