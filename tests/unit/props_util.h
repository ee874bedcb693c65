/* tests/unit/props_util.h: a one-line way to build an sl_props in unit tests:
 * props("k1", "v1", "k2", "v2", NULL). Caller owns the result (sl_props_destroy). */
#ifndef SLUICE_TESTS_PROPS_UTIL_H
#define SLUICE_TESTS_PROPS_UTIL_H

#include <stdarg.h>

#include <sluice/sdk.h>

static inline sl_props *props(const char *k, ...)
{
    sl_props *p = sl_props_new();
    va_list ap;
    va_start(ap, k);
    while (k != NULL) {
        const char *v = va_arg(ap, const char *);
        sl_props_set(p, k, v);
        k = va_arg(ap, const char *);
    }
    va_end(ap);
    return p;
}

#endif
