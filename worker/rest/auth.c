/* rest/auth.c: HTTP basic authentication as Connect's BasicAuthSecurityRestExtension does it
 * (JaasBasicAuthFilter + PropertyFileLoginModule): users file, JAAS file, header checks. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "config/properties.h"
#include "data/value_internal.h"
#include "rest/rest_security.h"
#include "util/log.h"

typedef struct auth_user {
    unsigned char user[SHA256_DIGEST_LENGTH];
    unsigned char password[SHA256_DIGEST_LENGTH];
} auth_user;

/* Names and passwords are kept as SHA-256 digests: compared in constant time whatever their
 * lengths, and never held in clear after loading. */
struct rest_auth {
    auth_user *users;
    size_t n;
    bool allow_all; /* an empty users file: PropertyFileLoginModule authenticates everyone */
};

void rest_auth_free(rest_auth *a)
{
    if (a == NULL)
        return;
    OPENSSL_cleanse(a->users, a->n * sizeof(*a->users));
    free(a->users);
    free(a);
}

static void digest(const char *s, unsigned char out[SHA256_DIGEST_LENGTH])
{
    SHA256((const unsigned char *)s, strlen(s), out);
}

int rest_auth_load_users(const char *path, rest_auth **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    sl_props *p = NULL;
    if (properties_parse_file(path, &p, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    rest_auth *a = calloc(1, sizeof(*a));
    size_t n = sl_props_count(p);
    if (a == NULL || (n > 0 && (a->users = calloc(n, sizeof(*a->users))) == NULL)) {
        free(a);
        sl_props_destroy(p);
        snprintf(errstr, errstr_size, "Out of memory loading %s", path);
        return SL_ERR;
    }
    for (size_t i = 0; i < n; i++) {
        const char *v = sl_props_value_at(p, i);
        digest(sl_props_key_at(p, i), a->users[a->n].user);
        digest(v ? v : "", a->users[a->n].password);
        a->n++;
    }
    sl_props_destroy(p);
    if (a->n == 0) {
        a->allow_all = true;
        LOG_WARN("rest",
                 "Basic authentication users file %s is empty: every request is let through, as "
                 "Kafka Connect's PropertyFileLoginModule does",
                 path);
    }
    *out = a;
    return SL_OK;
}

/* ---- the JAAS file: KafkaConnect { <module> required file="..."; }; ---- */

static const char *skip_blank(const char *p)
{
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (p[0] == '/' && p[1] == '/') {
            p = strchr(p, '\n');
            if (p == NULL)
                return "";
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (end == NULL)
                return "";
            p = end + 2;
        } else {
            return p;
        }
    }
}

/* A word (identifier, class name) or a quoted string into buf; returns the position after it,
 * or NULL when there is none. */
static const char *token(const char *p, char *buf, size_t size)
{
    p = skip_blank(p);
    size_t k = 0;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            if (k + 1 < size)
                buf[k++] = *p;
        if (*p != '"')
            return NULL;
        buf[k] = '\0';
        return p + 1;
    }
    while (*p && (isalnum((unsigned char)*p) || strchr("._$-/", *p) != NULL)) {
        if (k + 1 < size)
            buf[k++] = *p;
        p++;
    }
    buf[k] = '\0';
    return k > 0 ? p : NULL;
}

static int jaas_parse(const char *text, const char *path, char *out, size_t size, char *errstr,
                      size_t errstr_size)
{
    const char *p = text;
    char word[1024];
    for (;;) {
        p = token(p, word, sizeof(word));
        if (p == NULL)
            break;
        p = skip_blank(p);
        if (*p != '{')
            break;
        bool ours = strcmp(word, "KafkaConnect") == 0;
        p++;
        /* Entries: <class> <flag> [<option>=<value> ...];  until '}' */
        for (;;) {
            p = skip_blank(p);
            if (*p == '}') {
                p++;
                break;
            }
            char module[512], flag[64];
            p = token(p, module, sizeof(module));
            if (p != NULL)
                p = token(p, flag, sizeof(flag));
            if (p == NULL)
                goto syntax;
            bool file_module = strcmp(module, "PropertyFileLoginModule") == 0 ||
                               (strlen(module) > 24 && strcmp(module + strlen(module) - 24,
                                                              ".PropertyFileLoginModule") == 0);
            for (;;) {
                p = skip_blank(p);
                if (*p == ';') {
                    p++;
                    break;
                }
                char key[128], value[1024];
                p = token(p, key, sizeof(key));
                if (p == NULL)
                    goto syntax;
                p = skip_blank(p);
                if (*p != '=')
                    goto syntax;
                p = token(p + 1, value, sizeof(value));
                if (p == NULL)
                    goto syntax;
                if (ours && strcmp(key, "file") == 0) {
                    if (!file_module) {
                        snprintf(errstr, errstr_size,
                                 "%s: the KafkaConnect login module %s is not supported; use "
                                 "org.apache.kafka.connect.rest.basic.auth.extension."
                                 "PropertyFileLoginModule",
                                 path, module);
                        return SL_ERR;
                    }
                    snprintf(out, size, "%s", value);
                    return SL_OK;
                }
            }
        }
        if (ours) {
            snprintf(errstr, errstr_size,
                     "%s: the KafkaConnect entry names no PropertyFileLoginModule with a file=... "
                     "option",
                     path);
            return SL_ERR;
        }
        p = skip_blank(p);
        if (*p == ';')
            p++;
    }
    snprintf(errstr, errstr_size, "%s: no KafkaConnect login entry found", path);
    return SL_ERR;
syntax:
    snprintf(errstr, errstr_size, "%s: JAAS syntax error near byte %ld", path, (long)(p - text));
    return SL_ERR;
}

int rest_auth_jaas_users_file(const char *jaas_path, char *out, size_t size, char *errstr,
                              size_t errstr_size)
{
    FILE *f = fopen(jaas_path, "rb");
    if (f == NULL) {
        snprintf(errstr, errstr_size, "Cannot read JAAS file %s: %m", jaas_path);
        return SL_ERR;
    }
    char text[65536];
    size_t len = fread(text, 1, sizeof(text) - 1, f);
    bool big = !feof(f);
    fclose(f);
    if (big) {
        snprintf(errstr, errstr_size, "JAAS file %s is larger than 64 KiB", jaas_path);
        return SL_ERR;
    }
    text[len] = '\0';
    return jaas_parse(text, jaas_path, out, size, errstr, errstr_size);
}

int rest_auth_from_config(const sl_props *cfg, rest_auth **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    const char *classes = cfg ? sl_props_get(cfg, "rest.extension.classes") : NULL;
    bool enabled = false;
    for (const char *p = classes ? classes : ""; *p;) {
        size_t len = strcspn(p, ",");
        const char *a = p;
        size_t l = len;
        while (l > 0 && isspace((unsigned char)*a))
            a++, l--;
        while (l > 0 && isspace((unsigned char)a[l - 1]))
            l--;
        if (l > 0) {
            static const char simple[] = "BasicAuthSecurityRestExtension";
            if ((l == strlen(REST_BASIC_AUTH_EXTENSION) &&
                 memcmp(a, REST_BASIC_AUTH_EXTENSION, l) == 0) ||
                (l == sizeof(simple) - 1 && memcmp(a, simple, l) == 0)) {
                enabled = true;
            } else {
                snprintf(errstr, errstr_size,
                         "rest.extension.classes: unknown REST extension '%.*s' (only %s is "
                         "available)",
                         (int)l, a, REST_BASIC_AUTH_EXTENSION);
                return SL_ERR;
            }
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (!enabled)
        return SL_OK;
    const char *users = sl_props_get(cfg, "rest.basic.auth.users.file");
    char path[4096];
    if (users == NULL || users[0] == '\0') {
        const char *jaas = sl_props_get(cfg, "java.security.auth.login.config");
        if (jaas == NULL || jaas[0] == '\0') {
            snprintf(errstr, errstr_size,
                     "BasicAuthSecurityRestExtension needs the users file: set "
                     "rest.basic.auth.users.file (lines \"user: password\") or "
                     "java.security.auth.login.config (a JAAS file with a KafkaConnect entry)");
            return SL_ERR;
        }
        if (rest_auth_jaas_users_file(jaas, path, sizeof(path), errstr, errstr_size) != SL_OK)
            return SL_ERR;
        users = path;
    }
    if (rest_auth_load_users(users, out, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    LOG_INFO("rest", "Basic authentication enabled with users from %s", users);
    return SL_OK;
}

/* ---- requests ---- */

int rest_basic_decode(const char *header, char **user, char **password)
{
    *user = *password = NULL;
    if (header == NULL)
        return SL_ERR;
    const char *space = strchr(header, ' ');
    if (space == NULL || space == header || (size_t)(space - header) != 5 ||
        strncasecmp(header, "basic", 5) != 0)
        return SL_ERR;
    const char *b = space + 1;
    size_t blen = strlen(b);
    while (blen > 0 && (b[blen - 1] == ' ' || b[blen - 1] == '\t'))
        blen--;
    size_t len = 0;
    /* java.util.Base64.getDecoder(): RFC 4648 alphabet, padding optional. */
    char *plain = value_base64_decode(b, blen, &len);
    if (plain == NULL)
        return SL_ERR;
    char *colon = memchr(plain, ':', len);
    if (colon == NULL || colon == plain || memchr(plain, '\0', len) != NULL ||
        !rest_utf8_valid(plain, len, NULL)) {
        OPENSSL_cleanse(plain, len);
        free(plain);
        return SL_ERR;
    }
    *user = strndup(plain, (size_t)(colon - plain));
    *password = strdup(colon + 1);
    OPENSSL_cleanse(plain, len);
    free(plain);
    if (*user == NULL || *password == NULL) {
        free(*user);
        free(*password);
        *user = *password = NULL;
        return SL_ERR;
    }
    return SL_OK;
}

bool rest_auth_check(const rest_auth *a, const char *authorization)
{
    if (a == NULL)
        return true;
    if (a->allow_all)
        return true;
    char *user = NULL, *password = NULL;
    if (rest_basic_decode(authorization, &user, &password) != SL_OK)
        return false;
    unsigned char du[SHA256_DIGEST_LENGTH], dp[SHA256_DIGEST_LENGTH];
    digest(user, du);
    digest(password, dp);
    OPENSSL_cleanse(password, strlen(password));
    free(user);
    free(password);
    /* Every entry is compared, so the time does not tell which user exists. */
    int ok = 0;
    for (size_t i = 0; i < a->n; i++) {
        int same_user = CRYPTO_memcmp(du, a->users[i].user, sizeof(du)) == 0;
        int same_pass = CRYPTO_memcmp(dp, a->users[i].password, sizeof(dp)) == 0;
        ok |= same_user & same_pass;
    }
    return ok != 0;
}

bool rest_auth_exempt(const char *method, char *const *segs, size_t nseg, bool preflight)
{
    if (preflight)
        return true;
    if (nseg != 3 || strcmp(segs[0], "connectors") != 0)
        return false;
    /* JaasBasicAuthFilter's internal request matchers: POST /connectors/{c}/tasks and
     * PUT /connectors/{c}/fence. */
    return (strcmp(method, "POST") == 0 && strcmp(segs[2], "tasks") == 0) ||
           (strcmp(method, "PUT") == 0 && strcmp(segs[2], "fence") == 0);
}
