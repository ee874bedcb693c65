/* plugins/postgres/conninfo.c: translation of the JDBC sink's connection.url
 * (jdbc:postgresql://h1:p1,h2/db?user=..&ssl=true) into a libpq conninfo string. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conninfo.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode s[0..n) into sb (JDBC URLs encode reserved characters as %XX). */
static void put_decoded(pg_sb *sb, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexval((unsigned char)s[i + 1])) >= 0 &&
            (l = hexval((unsigned char)s[i + 2])) >= 0) {
            pg_sb_putc(sb, (char)(h * 16 + l));
            i += 2;
        } else {
            pg_sb_putc(sb, s[i]);
        }
    }
}

/* key='value' with libpq's quoting (backslash and single quote escaped). */
static void put_kv(pg_sb *sb, const char *key, const char *val)
{
    if (sb->len > 0)
        pg_sb_putc(sb, ' ');
    pg_sb_puts(sb, key);
    pg_sb_puts(sb, "='");
    for (const char *p = val; *p; p++) {
        if (*p == '\\' || *p == '\'')
            pg_sb_putc(sb, '\\');
        pg_sb_putc(sb, *p);
    }
    pg_sb_putc(sb, '\'');
}

static bool is_true(const char *v)
{
    return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0;
}

/* The libpq name of a JDBC property (NULL: none); *val may be rewritten into `tmp`. */
static const char *map_prop(const char *key, const char **val, pg_sb *tmp)
{
    static const struct {
        const char *jdbc, *libpq;
    } same[] = {
        {"user", "user"},
        {"password", "password"},
        {"sslmode", "sslmode"},
        {"sslrootcert", "sslrootcert"},
        {"sslcert", "sslcert"},
        {"sslkey", "sslkey"},
        {"sslcrl", "sslcrl"},
        {"ApplicationName", "application_name"},
        {"connectTimeout", "connect_timeout"},
        {"loginTimeout", "connect_timeout"},
        {"options", "options"},
        {"gssEncMode", "gssencmode"},
        {"channelBinding", "channel_binding"},
        {"service", "service"},
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        if (strcmp(key, same[i].jdbc) == 0)
            return same[i].libpq;
    if (strcmp(key, "currentSchema") == 0) {
        pg_sb_reset(tmp);
        pg_sb_printf(tmp, "-c search_path=%s", *val);
        *val = pg_sb_str(tmp);
        return "options";
    }
    if (strcmp(key, "tcpKeepAlive") == 0) {
        *val = is_true(*val) ? "1" : "0";
        return "keepalives";
    }
    if (strcmp(key, "targetServerType") == 0) {
        static const struct {
            const char *jdbc, *libpq;
        } t[] = {{"any", "any"},
                 {"master", "primary"},
                 {"primary", "primary"},
                 {"slave", "standby"},
                 {"secondary", "standby"},
                 {"preferSlave", "prefer-standby"},
                 {"preferSecondary", "prefer-standby"},
                 {"preferPrimary", "any"}};
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
            if (strcasecmp(*val, t[i].jdbc) == 0) {
                *val = t[i].libpq;
                return "target_session_attrs";
            }
        return NULL;
    }
    return NULL;
}

/* host[:port] or [v6]:port items, comma-separated, into host= and port= lists. */
static int put_hosts(pg_sb *out, const char *s, size_t n, char *err, size_t err_size)
{
    pg_sb hosts = PG_SB_INIT, ports = PG_SB_INIT;
    bool any_port = false;
    size_t i = 0;
    int rc = 0;
    while (i <= n && rc == 0) {
        size_t j = i;
        while (j < n && s[j] != ',')
            j++;
        const char *h = s + i, *hend = s + j, *port = NULL;
        if (h < hend && *h == '[') {
            const char *close = memchr(h, ']', (size_t)(hend - h));
            if (close == NULL) {
                snprintf(err, err_size, "unterminated '[' in host list");
                rc = -1;
                break;
            }
            if (close + 1 < hend && close[1] == ':')
                port = close + 2;
            h++;
            hend = close;
        } else {
            const char *colon = memchr(h, ':', (size_t)(hend - h));
            if (colon != NULL) {
                port = colon + 1;
                hend = colon;
            }
        }
        const char *pend = s + j;
        if (hosts.len > 0) {
            pg_sb_putc(&hosts, ',');
            pg_sb_putc(&ports, ',');
        }
        put_decoded(&hosts, h, (size_t)(hend - h));
        if (port != NULL && port < pend) {
            for (const char *q = port; q < pend; q++)
                if (!isdigit((unsigned char)*q)) {
                    snprintf(err, err_size, "bad port '%.*s'", (int)(pend - port), port);
                    rc = -1;
                }
            pg_sb_putn(&ports, port, (size_t)(pend - port));
            any_port = true;
        } else {
            pg_sb_puts(&ports, "5432");
        }
        i = j + 1;
    }
    if (rc == 0 && hosts.len > 0 && strspn(pg_sb_str(&hosts), ",") != hosts.len) {
        put_kv(out, "host", pg_sb_str(&hosts));
        if (any_port)
            put_kv(out, "port", pg_sb_str(&ports));
    }
    pg_sb_free(&hosts);
    pg_sb_free(&ports);
    return rc;
}

static int from_jdbc(const char *rest, char **out, pg_sb *ignored, char *err, size_t err_size)
{
    pg_sb sb = PG_SB_INIT, tmp = PG_SB_INIT;
    const char *q = strchr(rest, '?');
    const char *end = q ? q : rest + strlen(rest);
    const char *db = rest;
    int rc = 0;
    if (strncmp(rest, "//", 2) == 0) {
        const char *auth = rest + 2;
        const char *slash = memchr(auth, '/', (size_t)(end - auth));
        const char *aend = slash ? slash : end;
        if (put_hosts(&sb, auth, (size_t)(aend - auth), err, err_size) != 0)
            rc = -1;
        db = slash ? slash + 1 : end;
    } else if (*db == '/') {
        db++;
    }
    if (rc == 0 && db < end) {
        pg_sb name = PG_SB_INIT;
        put_decoded(&name, db, (size_t)(end - db));
        put_kv(&sb, "dbname", pg_sb_str(&name));
        pg_sb_free(&name);
    }
    bool has_sslmode = q != NULL && (strstr(q, "?sslmode=") || strstr(q, "&sslmode="));
    for (const char *p = q ? q + 1 : NULL; rc == 0 && p != NULL && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        pg_sb key = PG_SB_INIT, val = PG_SB_INIT;
        put_decoded(&key, p, eq ? (size_t)(eq - p) : len);
        if (eq != NULL)
            put_decoded(&val, eq + 1, len - (size_t)(eq + 1 - p));
        const char *k = pg_sb_str(&key), *v = pg_sb_str(&val);
        const char *lk = NULL;
        if (strcmp(k, "ssl") == 0) {
            if (!has_sslmode && is_true(v)) {
                lk = "sslmode";
                v = "require";
            }
        } else if (k[0] != '\0') {
            lk = map_prop(k, &v, &tmp);
            if (lk == NULL && ignored != NULL) {
                if (ignored->len > 0)
                    pg_sb_putc(ignored, ',');
                pg_sb_puts(ignored, k);
            }
        }
        if (lk != NULL)
            put_kv(&sb, lk, v);
        pg_sb_free(&key);
        pg_sb_free(&val);
        p = amp ? amp + 1 : NULL;
    }
    pg_sb_free(&tmp);
    if (rc == 0 && sb.oom) {
        snprintf(err, err_size, "out of memory");
        rc = -1;
    }
    if (rc != 0) {
        pg_sb_free(&sb);
        return -1;
    }
    *out = pg_sb_steal(&sb);
    return *out ? 0 : -1;
}

int pgc_conninfo_from_url(const char *url, char **out, pg_sb *ignored, char *err, size_t err_size)
{
    static const char jdbc[] = "jdbc:postgresql:";
    *out = NULL;
    if (url == NULL || url[0] == '\0') {
        snprintf(err, err_size, "connection.url is empty");
        return -1;
    }
    if (strncasecmp(url, "jdbc:", 5) == 0) {
        if (strncasecmp(url, jdbc, sizeof(jdbc) - 1) != 0) {
            snprintf(err, err_size, "only jdbc:postgresql: URLs are supported (got '%.40s')", url);
            return -1;
        }
        return from_jdbc(url + sizeof(jdbc) - 1, out, ignored, err, err_size);
    }
    *out = strdup(url);
    if (*out == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    return 0;
}
