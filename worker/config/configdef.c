/* config/configdef.c: parsing raw properties into an sl_config with Connect's ConfigDef type
 * rules, defaults, validators and error messages. */
#include "config/config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugin/registry.h"
#include "util/log.h"

/* ==== values ==== */

void config_val_clear(config_val *v)
{
    free(v->s);
    config_list_free(v->items);
    bool set = v->set;
    memset(v, 0, sizeof(*v));
    v->set = set;
}

/* Integer.parseInt / Short.parseShort / Long.parseLong: optional sign, decimal digits only. */
static int java_parse_long(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '\0')
        return -1;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q))
            return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Double.parseDouble for the decimal forms people write: [+-] digits [. digits] [e[+-]digits]
 * with an optional f/F/d/D suffix, and NaN / [+-]Infinity. */
static int java_parse_double(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (strcmp(p, "NaN") == 0 || strcmp(p, "Infinity") == 0) {
        *out = strcmp(p, "NaN") == 0 ? NAN : (*s == '-' ? -INFINITY : INFINITY);
        return 0;
    }
    size_t digits = 0;
    const char *q = p;
    while (isdigit((unsigned char)*q)) {
        q++;
        digits++;
    }
    if (*q == '.') {
        q++;
        while (isdigit((unsigned char)*q)) {
            q++;
            digits++;
        }
    }
    if (digits == 0)
        return -1;
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!isdigit((unsigned char)*q))
            return -1;
        while (isdigit((unsigned char)*q))
            q++;
    }
    size_t numlen = (size_t)(q - s);
    if (*q == 'f' || *q == 'F' || *q == 'd' || *q == 'D')
        q++;
    if (*q != '\0')
        return -1;
    char *num = strndup(s, numlen);
    if (num == NULL)
        return -1;
    *out = strtod(num, NULL);
    free(num);
    return 0;
}

int config_parse_value(const config_key *k, const char *raw, config_val *v, char *why,
                       size_t why_size)
{
    const sl_config_def *def = k->def;
    char *t = config_java_trim(raw);
    if (t == NULL) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    int rc = 0;
    switch (def->type) {
    case SL_CFG_BOOLEAN:
        if (strcasecmp(t, "true") == 0)
            v->b = true;
        else if (strcasecmp(t, "false") == 0)
            v->b = false;
        else {
            snprintf(why, why_size, "Expected value to be either true or false");
            rc = -1;
        }
        break;
    case SL_CFG_INT:
    case SL_CFG_SHORT:
    case SL_CFG_LONG: {
        int64_t lo = def->type == SL_CFG_INT ? INT32_MIN
                     : def->type == SL_CFG_SHORT ? INT16_MIN : INT64_MIN;
        int64_t hi = def->type == SL_CFG_INT ? INT32_MAX
                     : def->type == SL_CFG_SHORT ? INT16_MAX : INT64_MAX;
        if (java_parse_long(t, lo, hi, &v->l) < 0) {
            snprintf(why, why_size, "Not a number of type %s", config_type_name(def->type));
            rc = -1;
        }
        break;
    }
    case SL_CFG_DOUBLE:
        if (java_parse_double(t, &v->d) < 0) {
            snprintf(why, why_size, "Not a number of type DOUBLE");
            rc = -1;
        }
        break;
    case SL_CFG_LIST:
        v->nitems = config_split_list(t, &v->items);
        v->s = config_join((const char *const *)v->items, v->nitems, ",", "", "");
        break;
    case SL_CFG_CLASS: {
        const plugin_entry *e = registry_find_any(t);
        if (e == NULL) {
            snprintf(why, why_size, "Class %s could not be found.", raw);
            rc = -1;
        } else {
            v->s = strdup(e->class_name);
        }
        break;
    }
    case SL_CFG_STRING:
    case SL_CFG_PASSWORD:
    default:
        v->s = t;
        t = NULL;
        break;
    }
    free(t);
    if (rc == 0)
        v->null = false;
    else
        config_val_clear(v);
    return rc;
}

/* A definition's default as a parsed value. CLASS defaults are taken as written (they name
 * built-in classes; resolving them would tie definitions to what is loaded). */
static void parse_default(const config_key *k, config_val *v)
{
    const sl_config_def *def = k->def;
    if (def->required || def->default_value == NULL) {
        v->null = true;
        return;
    }
    if (def->type == SL_CFG_CLASS) {
        v->s = config_java_trim(def->default_value);
        v->null = v->s == NULL;
        return;
    }
    char why[256];
    if (config_parse_value(k, def->default_value, v, why, sizeof(why)) < 0) {
        LOG_ERROR("config", "the default \"%s\" of %s is invalid: %s", def->default_value,
                  k->name, why);
        v->null = true;
    }
}

char *config_val_string(const sl_config_def *def, const config_val *v)
{
    if (v->null)
        return NULL;
    char buf[64];
    switch (def->type) {
    case SL_CFG_BOOLEAN: return strdup(v->b ? "true" : "false");
    case SL_CFG_INT:
    case SL_CFG_SHORT:
    case SL_CFG_LONG:
        snprintf(buf, sizeof(buf), "%lld", (long long)v->l);
        return strdup(buf);
    case SL_CFG_DOUBLE:
        config_java_double(v->d, buf, sizeof(buf));
        return strdup(buf);
    case SL_CFG_PASSWORD: return strdup("[hidden]");
    default: return v->s ? strdup(v->s) : NULL;
    }
}

char *config_default_string(const sl_config_def *def)
{
    if (def == NULL || def->required || def->default_value == NULL)
        return NULL;
    config_key k = {.name = def->name, .short_name = def->name, .def = def};
    config_val v = {0};
    parse_default(&k, &v);
    char *s = config_val_string(def, &v);
    config_val_clear(&v);
    return s;
}

/* How a parsed value prints in "Invalid value <v> ..." messages: Java's toString of the
 * parsed object (List as "[a, b]", Password as "[hidden]", Class as "class x.Y"). */
static char *val_java_string(const sl_config_def *def, const config_val *v)
{
    if (v->null)
        return strdup("null");
    if (def->type == SL_CFG_LIST)
        return config_list_java_string((const char *const *)v->items, v->nitems);
    if (def->type == SL_CFG_CLASS) {
        char *s = malloc(strlen(v->s) + 7);
        if (s)
            sprintf(s, "class %s", v->s);
        return s;
    }
    return config_val_string(def, v);
}

/* ==== validators ==== */

static void invalid(config_result *r, const config_key *k, const char *shown, const char *why)
{
    config_result_add_errorf(r, k->name, "Invalid value %s for configuration %s: %s",
                             shown ? shown : "null", k->short_name, why);
}

static void range_bound(const sl_config_def *def, double b, char *buf, size_t size)
{
    if (def->type != SL_CFG_DOUBLE && b == floor(b) && fabs(b) < 9.2e18)
        snprintf(buf, size, "%lld", (long long)b);
    else
        config_java_double(b, buf, size);
}

static bool in_list(const sl_validator *val, const char *s)
{
    if (s == NULL || val->allowed == NULL)
        return false;
    for (const char *const *a = val->allowed; *a; a++)
        if (val->kind == SL_VALID_IN_ICASE ? strcasecmp(*a, s) == 0 : strcmp(*a, s) == 0)
            return true;
    return false;
}

static void in_message(const sl_validator *val, char *buf, size_t size)
{
    size_t o = (size_t)snprintf(buf, size, "String must be one of%s: ",
                                val->kind == SL_VALID_IN_ICASE ? " (case insensitive)" : "");
    for (const char *const *a = val->allowed; a && *a && o < size; a++) {
        o += (size_t)snprintf(buf + o, size - o, "%s", a == val->allowed ? "" : ", ");
        /* CaseInsensitiveValidString keeps its choices upper-cased */
        for (const char *c = *a; *c && o + 1 < size; c++)
            buf[o++] = val->kind == SL_VALID_IN_ICASE ? (char)toupper((unsigned char)*c) : *c;
        if (o < size)
            buf[o] = '\0';
    }
}

static void run_validator(const config_key *k, const config_val *v, const char *input,
                          config_result *r)
{
    const sl_config_def *def = k->def;
    const sl_validator *val = &def->validator;
    char why[1024];
    switch (val->kind) {
    case SL_VALID_RANGE: {
        bool integral = def->type == SL_CFG_INT || def->type == SL_CFG_SHORT ||
                        def->type == SL_CFG_LONG;
        if (!integral && def->type != SL_CFG_DOUBLE)
            return;
        if (v->null) {
            invalid(r, k, NULL, "Value must be non-null");
            return;
        }
        double x = integral ? (double)v->l : v->d;
        char bound[64];
        if ((val->range_flags & SL_RANGE_HAS_MIN) && x < val->min) {
            range_bound(def, val->min, bound, sizeof(bound));
            snprintf(why, sizeof(why), "Value must be at least %s", bound);
        } else if ((val->range_flags & SL_RANGE_HAS_MAX) && x > val->max) {
            range_bound(def, val->max, bound, sizeof(bound));
            snprintf(why, sizeof(why), "Value must be no more than %s", bound);
        } else {
            return;
        }
        char *shown = val_java_string(def, v);
        invalid(r, k, shown, why);
        free(shown);
        return;
    }
    case SL_VALID_IN:
    case SL_VALID_IN_ICASE:
        in_message(val, why, sizeof(why));
        if (def->type == SL_CFG_LIST) {
            /* ValidList: each item, reporting the first that is not allowed */
            for (size_t i = 0; !v->null && i < v->nitems; i++)
                if (!in_list(val, v->items[i])) {
                    invalid(r, k, v->items[i], why);
                    return;
                }
            return;
        }
        if (v->null || !in_list(val, v->s)) {
            char *shown = val_java_string(def, v);
            invalid(r, k, shown, why);
            free(shown);
        }
        return;
    case SL_VALID_NON_EMPTY:
        if (!v->null && v->s != NULL && v->s[0] == '\0' && def->type != SL_CFG_LIST)
            invalid(r, k, "", "String must be non-empty");
        return;
    case SL_VALID_CUSTOM: {
        if (val->fn == NULL)
            return;
        why[0] = '\0';
        if (val->fn(def, v->null ? NULL : input, why, sizeof(why)) == SL_OK)
            return;
        if (why[0] == '\0')
            snprintf(why, sizeof(why), "invalid value");
        if (val->range_flags & CONFIG_VALID_RAW_MESSAGE) {
            config_result_add_error(r, k->name, why);
        } else {
            char *shown = val_java_string(def, v);
            invalid(r, k, shown, why);
            free(shown);
        }
        return;
    }
    case SL_VALID_NONE:
    default: return;
    }
}

/* ==== parsing ==== */

sl_config *config_parse_schema(config_schema *schema, const sl_props *raw,
                               config_result **result)
{
    if (result)
        *result = NULL;
    if (schema == NULL)
        return NULL;
    sl_config *c = calloc(1, sizeof(*c));
    config_result *r = config_result_new();
    if (c == NULL || r == NULL || config_schema_freeze(schema) != SL_OK) {
        free(c);
        config_result_free(r);
        config_schema_free(schema);
        return NULL;
    }
    c->schema = schema;
    c->originals = raw ? sl_props_copy(raw) : sl_props_new();
    c->vals = calloc(schema->count ? schema->count : 1, sizeof(config_val));
    if (c->originals == NULL || c->vals == NULL) {
        config_result_free(r);
        config_free(c);
        return NULL;
    }
    for (size_t i = 0; i < schema->count; i++) {
        const config_key *k = &schema->keys[i];
        config_val *v = &c->vals[i];
        ssize_t idx = config_result_add(r, k->name, NULL);
        char *input = NULL;
        bool failed = false;
        if (sl_props_has(raw, k->name)) {
            const char *rv = sl_props_get(raw, k->name);
            v->set = true;
            char why[512];
            if (rv == NULL) {
                v->null = true;
            } else if (config_parse_value(k, rv, v, why, sizeof(why)) < 0) {
                config_result_add_errorf(r, k->name, "Invalid value %s for configuration %s: %s",
                                         rv, k->name, why);
                v->null = true;
                failed = true;
            } else {
                input = config_java_trim(rv);
            }
        } else if (k->def->required) {
            config_result_add_errorf(
                r, k->name, "Missing required configuration \"%s\" which has no default value.",
                k->name);
            v->null = true;
        } else {
            parse_default(k, v);
            input = k->def->default_value ? config_java_trim(k->def->default_value) : NULL;
        }
        run_validator(k, v, input, r);
        free(input);
        if (idx >= 0) {
            char *shown = config_val_string(k->def, v);
            config_result_set_value(r, (size_t)idx, shown);
            free(shown);
            config_result_set_recommended(r, (size_t)idx, k->recommended);
        }
        if (failed) /* the typed config falls back to the default; the result shows null */
            parse_default(k, v);
    }
    /* ConfigDef.validateAll: a dependent that names no key is an error of its own */
    for (size_t i = 0; i < schema->count; i++) {
        const char *const *dep = schema->keys[i].dependents;
        for (; dep && *dep; dep++) {
            if (config_schema_index(schema, *dep) >= 0 || config_result_find(r, *dep) >= 0)
                continue;
            ssize_t idx = config_result_add(r, *dep, NULL);
            config_result_add_errorf(r, *dep, "%s is referred in the dependents, but not defined.",
                                     *dep);
            if (idx >= 0)
                config_result_set_visible(r, (size_t)idx, false);
        }
    }
    if (result)
        *result = r;
    else
        config_result_free(r);
    return c;
}

sl_config *config_parse(const sl_config_def *const *tables, size_t ntables, const sl_props *raw,
                        config_result **result)
{
    if (result)
        *result = NULL;
    config_schema *s = config_schema_new();
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < ntables; i++)
        if (config_schema_add_table(s, tables[i], false) != SL_OK) {
            config_schema_free(s);
            return NULL;
        }
    return config_parse_schema(s, raw, result);
}
