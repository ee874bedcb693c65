/* rest/listener.c: parsing of the `listeners` worker setting, Connect's
 * "<protocol>://[host]:<port>" (RestServer.parseListeners), comma-separated. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest/rest_internal.h"

/* Host characters Connect's listener pattern accepts ([0-9a-zA-Z\-%._:]), which covers
 * names, IPv4 and IPv6 literals (with or without brackets) and zone ids. */
static bool host_char_ok(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '%' || c == '.' || c == '_' || c == ':';
}

int rest_listener_parse(const char *text, rest_listener *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    if (text == NULL)
        text = "";
    /* Work on a trimmed copy: list items may be written "http://:8083, http://x:8084". */
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    char item[512];
    if (len == 0 || len >= sizeof(item)) {
        snprintf(errstr, errstr_size,
                 "Invalid listener '%.*s': expected <protocol>://<host>:<port>",
                 (int)(len > 200 ? 200 : len), text);
        return SL_ERR;
    }
    memcpy(item, text, len);
    item[len] = '\0';

    char *sep = strstr(item, "://");
    if (sep == NULL) {
        snprintf(errstr, errstr_size,
                 "Invalid listener '%s': expected <protocol>://<host>:<port>, e.g. http://:8083",
                 item);
        return SL_ERR;
    }
    *sep = '\0';
    const char *proto = item;
    char *hostport = sep + 3;
    if (strcasecmp(proto, "http") == 0) {
        out->scheme = REST_SCHEME_HTTP;
    } else if (strcasecmp(proto, "https") == 0) {
        out->scheme = REST_SCHEME_HTTPS;
    } else {
        /* Connect: "Listener protocol must be either "http" or "https"." */
        *sep = ':';
        snprintf(errstr, errstr_size,
                 "Invalid listener '%s': listener protocol must be either \"http\" or \"https\"",
                 item);
        return SL_ERR;
    }
    *sep = ':';

    /* The port is after the last ':' (IPv6 literals contain colons). */
    char *colon = strrchr(hostport, ':');
    if (colon == NULL) {
        snprintf(errstr, errstr_size, "Invalid listener '%s': missing port", item);
        return SL_ERR;
    }
    const char *port_s = colon + 1;
    char *end = NULL;
    long port = -1;
    if (*port_s != '\0' && isdigit((unsigned char)*port_s))
        port = strtol(port_s, &end, 10);
    if (port < 0 || port > 65535 || end == NULL || *end != '\0') {
        snprintf(errstr, errstr_size, "Invalid listener '%s': port must be a number in 0..65535",
                 item);
        return SL_ERR;
    }

    const char *host = hostport;
    size_t host_len = (size_t)(colon - hostport);
    if (host_len > 0 && host[0] == '[') {
        if (host[host_len - 1] != ']' || host_len < 3) {
            snprintf(errstr, errstr_size, "Invalid listener '%s': unbalanced '[' in host", item);
            return SL_ERR;
        }
        host++;
        host_len -= 2;
    } else if (memchr(host, ':', host_len) != NULL) {
        /* "http://::1:8083" is ambiguous; Connect's pattern would read it, but a bracketed
         * literal is the only form that says which colon starts the port. */
        snprintf(errstr, errstr_size,
                 "Invalid listener '%s': write IPv6 addresses in brackets, e.g. http://[::1]:8083",
                 item);
        return SL_ERR;
    }
    if (host_len >= sizeof(out->host)) {
        snprintf(errstr, errstr_size, "Invalid listener '%s': host name too long", item);
        return SL_ERR;
    }
    for (size_t i = 0; i < host_len; i++) {
        if (!host_char_ok(host[i])) {
            snprintf(errstr, errstr_size, "Invalid listener '%s': bad character in host", item);
            return SL_ERR;
        }
    }
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    out->port = (int)port;
    return SL_OK;
}

int rest_listeners_parse(const char *list, rest_listener *out, size_t max, char *errstr,
                         size_t errstr_size)
{
    if (list == NULL)
        list = "";
    size_t n = 0;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[512];
        if (len >= sizeof(item)) {
            snprintf(errstr, errstr_size, "Invalid listener '%.100s...': too long", p);
            return -1;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        /* Blank items between commas are skipped, as Connect's LIST type drops them; a list
         * with no item at all is still an error below. */
        bool blank = true;
        for (size_t i = 0; i < len; i++)
            if (!isspace((unsigned char)item[i]))
                blank = false;
        if (!blank) {
            if (n == max) {
                snprintf(errstr, errstr_size, "Too many listeners in '%s' (at most %zu)", list,
                         max);
                return -1;
            }
            if (rest_listener_parse(item, &out[n], errstr, errstr_size) != SL_OK)
                return -1;
            n++;
        }
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    if (n == 0) {
        snprintf(errstr, errstr_size, "No listener given in listeners='%s'", list);
        return -1;
    }
    return (int)n;
}
