/* config/provider_vars.c: finding ${provider:[path:]key} variables in config values, as
 * Kafka's ConfigTransformer pattern does for every value it resolves (see providers.h). */
#include <string.h>

#include "config/providers.h"

/* Java's '.' (without DOTALL) stops at \n, \r, U+0085, U+2028 and U+2029; so does a
 * variable. Returns the length of the terminator at p, or 0. */
static size_t line_terminator(const unsigned char *p)
{
    if (p[0] == '\n' || p[0] == '\r')
        return 1;
    if (p[0] == 0xC2 && p[1] == 0x85)
        return 2;
    if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
        return 3;
    return 0;
}

bool providers_next_var(const char *value, size_t from, providers_var *v)
{
    if (value == NULL)
        return false;
    size_t len = strlen(value);
    const unsigned char *s = (const unsigned char *)value;
    for (size_t i = from; i + 1 < len; i++) {
        if (s[i] != '$' || s[i + 1] != '{')
            continue;
        size_t body = i + 2, close = body, colon1 = 0, colon2 = 0;
        bool ok = false;
        while (close < len) {
            if (s[close] == '}') {
                ok = true;
                break;
            }
            if (line_terminator(s + close))
                break;
            if (s[close] == ':') {
                if (colon1 == 0)
                    colon1 = close;
                else if (colon2 == 0)
                    colon2 = close;
            }
            close++;
        }
        /* No '}' on this line, or no ':' before it: not a variable; look further on. */
        if (!ok || colon1 == 0)
            continue;
        v->start = i;
        v->end = close + 1;
        v->provider_off = body;
        v->provider_len = colon1 - body;
        if (colon2 != 0) {
            v->path_off = colon1 + 1;
            v->path_len = colon2 - colon1 - 1;
            v->key_off = colon2 + 1;
        } else {
            v->path_off = colon1 + 1;
            v->path_len = 0;
            v->key_off = colon1 + 1;
        }
        v->key_len = close - v->key_off;
        return true;
    }
    return false;
}
