/* plugins/datagen/template_annotations.c: the "arg.properties" annotations of datagen templates
 * (options, range, iteration, regex, length, prefix, suffix, odds, keys), each checked against
 * the type it annotates when the template is compiled. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_internal.h"

/* ---- numbers from JSON ---- */

bool dg_json_int64(const json_t *j, int64_t *out)
{
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return true;
    }
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
            *out = (int64_t)d;
            return true;
        }
    }
    return false;
}

/* An exclusive upper bound for INT/LONG ranges may be one past the type's maximum. */
static bool json_bound(const json_t *j, __int128 *out)
{
    int64_t v;
    if (dg_json_int64(j, &v)) {
        *out = v;
        return true;
    }
    if (json_is_real(j) && json_real_value(j) == 9223372036854775808.0) {
        *out = (__int128)INT64_MAX + 1;
        return true;
    }
    return false;
}

static bool is_integer_kind(const dg_node *n)
{
    return n->kind == DG_INT || n->kind == DG_LONG;
}

static bool is_float_kind(const dg_node *n)
{
    return n->kind == DG_FLOAT || n->kind == DG_DOUBLE;
}

/* The default [lo, hi) of an integer node: its logical type's natural span, else the type's. */
void dg_int_default_bounds(const dg_node *n, __int128 *lo, __int128 *hi)
{
    switch (n->logical) {
    case SL_LOGICAL_DATE:
        *lo = 0, *hi = 47482; /* 1970-01-01 .. 2100-01-01 in days */
        return;
    case SL_LOGICAL_TIME:
        *lo = 0, *hi = 86400000; /* a day in ms */
        return;
    case SL_LOGICAL_TIMESTAMP:
        *lo = 0, *hi = 4102444800000LL; /* 1970 .. 2100 in ms */
        return;
    default:
        break;
    }
    if (n->kind == DG_INT)
        *lo = INT32_MIN, *hi = (__int128)INT32_MAX + 1;
    else
        *lo = INT64_MIN, *hi = (__int128)INT64_MAX + 1;
}

/* ---- annotations ---- */

static int ann_range(dg_compiler *c, dg_node *n, json_t *v)
{
    if (!is_integer_kind(n) && !is_float_kind(n)) {
        dg_cfail(c, "\"range\" applies to int, long, float and double, not %s",
                 dg_kind_name(n->kind));
        return -1;
    }
    if (!json_is_object(v)) {
        dg_cfail(c, "\"range\" must be an object {\"min\": ..., \"max\": ...}");
        return -1;
    }
    json_t *jmin = json_object_get(v, "min"), *jmax = json_object_get(v, "max");
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if (strcmp(key, "min") != 0 && strcmp(key, "max") != 0) {
            dg_cfail(c, "\"range\" takes \"min\" and \"max\", not \"%s\"", key);
            return -1;
        }
    }
    if (jmin == NULL && jmax == NULL) {
        dg_cfail(c, "\"range\" needs \"min\" or \"max\"");
        return -1;
    }
    n->has_range = true;
    if (is_integer_kind(n)) {
        __int128 lo, hi, tlo, thi;
        dg_int_default_bounds(n, &tlo, &thi);
        if (n->kind == DG_INT)
            lo = INT32_MIN, hi = (__int128)INT32_MAX + 1;
        else
            lo = INT64_MIN, hi = (__int128)INT64_MAX + 1;
        __int128 typelo = lo, typehi = hi;
        lo = tlo, hi = thi;
        if (jmin != NULL && !json_bound(jmin, &lo)) {
            dg_cfail(c, "range \"min\" must be an integer");
            return -1;
        }
        if (jmax != NULL && !json_bound(jmax, &hi)) {
            dg_cfail(c, "range \"max\" must be an integer");
            return -1;
        }
        if (jmin != NULL && jmax == NULL && lo >= hi)
            hi = typehi; /* only min given, above the default span: up to the type's max */
        if (jmax != NULL && jmin == NULL && lo >= hi)
            lo = typelo;
        if (lo < typelo || hi > typehi) {
            dg_cfail(c, "range outside the values of %s", dg_kind_name(n->kind));
            return -1;
        }
        if (lo >= hi) {
            dg_cfail(c, "range \"min\" must be below \"max\" (max is exclusive)");
            return -1;
        }
        n->imin = (int64_t)lo;
        /* hi may be INT64_MAX + 1: store the inclusive bound and add 1 back when drawing. */
        n->imax = (int64_t)(hi - 1);
    } else {
        if ((jmin != NULL && !json_is_number(jmin)) || (jmax != NULL && !json_is_number(jmax))) {
            dg_cfail(c, "range \"min\" and \"max\" must be numbers");
            return -1;
        }
        double lo = jmin ? json_number_value(jmin) : 0, hi;
        if (jmin == NULL && json_number_value(jmax) <= 0)
            lo = json_number_value(jmax) - 1;
        hi = jmax ? json_number_value(jmax) : lo + 1;
        if (!(lo < hi) || !isfinite(lo) || !isfinite(hi)) {
            dg_cfail(c, "range \"min\" must be below \"max\" (max is exclusive)");
            return -1;
        }
        n->dmin = lo;
        n->dmax = hi;
    }
    return 0;
}

static int ann_iteration_bool(dg_compiler *c, dg_node *n, json_t *v)
{
    json_t *js = json_object_get(v, "start");
    if (!json_is_boolean(js) || json_object_size(v) != 1) {
        dg_cfail(c, "a boolean \"iteration\" takes only a boolean \"start\"");
        return -1;
    }
    n->has_iteration = true;
    n->iter.bstart = json_is_true(js);
    return 0;
}

static int ann_iteration(dg_compiler *c, dg_node *n, json_t *v)
{
    if (!json_is_object(v)) {
        dg_cfail(c, "\"iteration\" must be an object {\"start\": ..., \"step\": ...}");
        return -1;
    }
    if (n->kind == DG_BOOLEAN)
        return ann_iteration_bool(c, n, v);
    if (!is_integer_kind(n) && !is_float_kind(n)) {
        dg_cfail(c, "\"iteration\" applies to numbers and booleans, not %s", dg_kind_name(n->kind));
        return -1;
    }
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if (strcmp(key, "start") && strcmp(key, "step") && strcmp(key, "restart") &&
            strcmp(key, "initial")) {
            dg_cfail(c, "\"iteration\" takes start, step, restart and initial, not \"%s\"", key);
            return -1;
        }
    }
    json_t *js = json_object_get(v, "start"), *jstep = json_object_get(v, "step");
    json_t *jr = json_object_get(v, "restart"), *ji = json_object_get(v, "initial");
    dg_iteration *it = &n->iter;
    it->has_restart = jr != NULL;
    if (is_integer_kind(n)) {
        int64_t start, step = 1, restart = 0, initial;
        if (js == NULL || !dg_json_int64(js, &start)) {
            dg_cfail(c, "\"iteration\" needs an integer \"start\"");
            return -1;
        }
        if ((jr && !dg_json_int64(jr, &restart)) || (jstep && !dg_json_int64(jstep, &step)) ||
            (ji && !dg_json_int64(ji, &initial))) {
            dg_cfail(c, "iteration \"step\", \"restart\" and \"initial\" must be integers");
            return -1;
        }
        if (jr && jstep == NULL)
            step = restart < start ? -1 : 1;
        initial = ji ? initial : start;
        if (step == 0 || (jr && (restart == start || (restart > start) != (step > 0)))) {
            dg_cfail(c, "iteration \"step\" must be non-zero and move from \"start\" towards "
                        "\"restart\" (which must differ from start)");
            return -1;
        }
        if (jr && (step > 0 ? (initial < start || initial >= restart)
                            : (initial > start || initial <= restart))) {
            dg_cfail(c, "iteration \"initial\" must lie between \"start\" and \"restart\"");
            return -1;
        }
        if (n->kind == DG_INT &&
            (start < INT32_MIN || start > INT32_MAX || initial < INT32_MIN || initial > INT32_MAX ||
             restart < INT32_MIN - 1LL || restart > INT32_MAX + 1LL)) {
            dg_cfail(c, "iteration values outside the values of int");
            return -1;
        }
        it->istart = start, it->istep = step, it->irestart = restart, it->iinitial = initial;
    } else {
        if (!json_is_number(js) || (jr && !json_is_number(jr)) ||
            (jstep && !json_is_number(jstep)) || (ji && !json_is_number(ji))) {
            dg_cfail(c, "\"iteration\" needs a numeric \"start\" (and numeric step, restart, "
                        "initial)");
            return -1;
        }
        double start = json_number_value(js), restart = jr ? json_number_value(jr) : 0;
        double step = jstep ? json_number_value(jstep) : (jr && restart < start ? -1 : 1);
        double initial = ji ? json_number_value(ji) : start;
        if (!(step != 0) || !isfinite(step) || !isfinite(start) || !isfinite(restart) ||
            !isfinite(initial) || (jr && (restart == start || (restart > start) != (step > 0)))) {
            dg_cfail(c, "iteration \"step\" must be non-zero and move from \"start\" towards "
                        "\"restart\" (which must differ from start)");
            return -1;
        }
        if (jr && (step > 0 ? (initial < start || initial >= restart)
                            : (initial > start || initial <= restart))) {
            dg_cfail(c, "iteration \"initial\" must lie between \"start\" and \"restart\"");
            return -1;
        }
        it->dstart = start, it->dstep = step, it->drestart = restart, it->dinitial = initial;
    }
    n->has_iteration = true;
    return 0;
}

static int ann_length(dg_compiler *c, dg_node *n, json_t *v)
{
    if (n->kind != DG_STRING && n->kind != DG_BYTES && n->kind != DG_ARRAY && n->kind != DG_MAP) {
        dg_cfail(c, "\"length\" applies to string, bytes, array and map, not %s",
                 dg_kind_name(n->kind));
        return -1;
    }
    int64_t cap = n->kind == DG_STRING || n->kind == DG_BYTES ? DG_MAX_STRING_LENGTH
                                                              : DG_MAX_COLLECTION_LENGTH;
    int64_t lo, hi;
    if (json_is_number(v)) {
        if (!dg_json_int64(v, &lo) || lo < 0 || lo > cap) {
            dg_cfail(c, "\"length\" must be an integer from 0 to %lld", (long long)cap);
            return -1;
        }
        hi = lo + 1;
    } else if (json_is_object(v)) {
        json_t *jmin = json_object_get(v, "min"), *jmax = json_object_get(v, "max");
        if ((jmin == NULL && jmax == NULL) ||
            json_object_size(v) != (size_t)((jmin != NULL) + (jmax != NULL))) {
            dg_cfail(c, "\"length\" object takes \"min\" and/or \"max\" only");
            return -1;
        }
        lo = 0;
        if ((jmin && !dg_json_int64(jmin, &lo)) || (jmax && !dg_json_int64(jmax, &hi))) {
            dg_cfail(c, "length \"min\" and \"max\" must be integers");
            return -1;
        }
        if (jmax == NULL)
            hi = lo + DG_DEFAULT_LEN_MAX - DG_DEFAULT_LEN_MIN;
        if (lo < 0 || hi > cap + 1 || lo >= hi) {
            dg_cfail(c, "length needs 0 <= min < max <= %lld (max is exclusive)",
                     (long long)cap + 1);
            return -1;
        }
    } else {
        dg_cfail(c, "\"length\" must be a number or an object {\"min\": ..., \"max\": ...}");
        return -1;
    }
    n->has_length = true;
    n->len_min = lo;
    n->len_max = hi;
    return 0;
}

static int ann_string(dg_compiler *c, dg_node *n, const char *what, json_t *v, char **out)
{
    if (n->kind != DG_STRING) {
        dg_cfail(c, "\"%s\" applies to strings, not %s", what, dg_kind_name(n->kind));
        return -1;
    }
    if (!json_is_string(v)) {
        dg_cfail(c, "\"%s\" must be a string", what);
        return -1;
    }
    *out = strdup(json_string_value(v));
    if (*out == NULL) {
        dg_cfail(c, "out of memory");
        return -1;
    }
    return 0;
}

static int ann_keys(dg_compiler *c, dg_node *n, json_t *v, int depth)
{
    if (n->kind != DG_MAP) {
        dg_cfail(c, "\"keys\" applies to maps, not %s", dg_kind_name(n->kind));
        return -1;
    }
    if (!json_is_object(v)) {
        dg_cfail(c, "\"keys\" must be an object of string annotations");
        return -1;
    }
    n->keys = dg_node_new(c, DG_STRING);
    if (n->keys == NULL)
        return -1;
    size_t mark = dg_path_push(c, "<keys>");
    int rc = dg_annotations(c, n->keys, v, depth + 1);
    dg_path_pop(c, mark);
    return rc;
}

int dg_annotations(dg_compiler *c, dg_node *n, json_t *props, int depth)
{
    if (props == NULL)
        return 0;
    if (!json_is_object(props)) {
        dg_cfail(c, "\"arg.properties\" must be an object");
        return -1;
    }
    if (depth > DG_MAX_DEPTH) {
        dg_cfail(c, "types nested deeper than %d", DG_MAX_DEPTH);
        return -1;
    }
    if (n->logical == SL_LOGICAL_DECIMAL && json_object_size(props) > 0) {
        dg_cfail(c, "annotations on decimals are not supported");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(props, key, v)
    {
        int rc;
        if (strcmp(key, "options") == 0) {
            if (!json_is_array(v) || json_array_size(v) == 0) {
                dg_cfail(c, "\"options\" must be a non-empty array (options from a file are not "
                            "supported)");
                return -1;
            }
            n->options = json_incref(v);
            rc = 0;
        } else if (strcmp(key, "range") == 0) {
            rc = ann_range(c, n, v);
        } else if (strcmp(key, "iteration") == 0) {
            rc = ann_iteration(c, n, v);
        } else if (strcmp(key, "regex") == 0) {
            if (n->kind != DG_STRING || !json_is_string(v)) {
                dg_cfail(c, "\"regex\" must be a string, on a string type");
                return -1;
            }
            char rerr[256] = "";
            n->regex = dg_regex_compile(json_string_value(v), rerr, sizeof(rerr));
            if (n->regex == NULL) {
                dg_cfail(c, "%s", rerr);
                return -1;
            }
            rc = 0;
        } else if (strcmp(key, "length") == 0) {
            rc = ann_length(c, n, v);
        } else if (strcmp(key, "prefix") == 0) {
            rc = ann_string(c, n, key, v, &n->prefix);
        } else if (strcmp(key, "suffix") == 0) {
            rc = ann_string(c, n, key, v, &n->suffix);
        } else if (strcmp(key, "odds") == 0) {
            if (n->kind != DG_BOOLEAN || !json_is_number(v) || json_number_value(v) < 0 ||
                json_number_value(v) > 1) {
                dg_cfail(c, "\"odds\" must be a number from 0 to 1, on a boolean type");
                return -1;
            }
            n->has_odds = true;
            n->odds = json_number_value(v);
            rc = 0;
        } else if (strcmp(key, "keys") == 0) {
            rc = ann_keys(c, n, v, depth);
        } else {
            dg_cfail(c,
                     "unsupported annotation \"%s\" (supported: options, range, iteration, "
                     "regex, length, prefix, suffix, odds, keys)",
                     key);
            return -1;
        }
        if (rc != 0)
            return -1;
    }
    if (n->regex != NULL && n->has_length) {
        dg_cfail(c, "\"regex\" and \"length\" together are not supported");
        return -1;
    }
    return 0;
}

/* Every option must convert to the node's type: found now rather than on the 10000th record. */
int dg_check_options(dg_compiler *c, dg_node *n)
{
    if (n->options == NULL)
        return 0;
    sl_schema *s = dg_node_schema(n, false);
    if (s == NULL) {
        dg_cfail(c, "out of memory");
        return -1;
    }
    size_t i;
    json_t *o;
    json_array_foreach(n->options, i, o)
    {
        char err[256] = "";
        sl_value *v = NULL;
        if (dg_option_value(n, s, o, &v, err, sizeof(err)) != SL_OK) {
            sl_schema_unref(s);
            dg_cfail(c, "option %zu: %s", i, err);
            return -1;
        }
        sl_value_destroy(v);
    }
    sl_schema_unref(s);
    return 0;
}
