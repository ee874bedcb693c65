/* transforms/replace_field.c: ReplaceField$Key / $Value: keep (include), drop (exclude) and
 * rename (renames) fields of a struct or schemaless map; whitelist/blacklist still accepted. */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "transforms.h"

#define PURPOSE "field replacement"

/* ReplaceField.parseRenameMappings: each item is exactly "old:new" (Java's split(":") drops
 * trailing empty strings, so "a:" is malformed too). */
static int renames_valid(const sl_config_def *def, const char *value, char *errstr,
                         size_t errstr_size)
{
    (void)def;
    char **items = NULL;
    size_t n = smt_list_split(value, &items);
    int rc = SL_OK;
    for (size_t i = 0; i < n && rc == SL_OK; i++) {
        const char *colon = strchr(items[i], ':');
        if (colon == NULL || colon[1] == '\0' || strchr(colon + 1, ':') != NULL) {
            snprintf(errstr, errstr_size, "Invalid rename mapping: %s", items[i]);
            rc = SL_ERR;
        }
    }
    smt_list_free(items);
    return rc;
}

static const sl_config_def replace_field_config[] = {
    {.name = "exclude",
     .type = SL_CFG_LIST,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Fields to exclude. This takes precedence over the fields to include."},
    {.name = "include",
     .type = SL_CFG_LIST,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Fields to include. If specified, only these fields will be used."},
    {.name = "renames",
     .type = SL_CFG_LIST,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Field rename mappings.",
     .validator = SL_VALIDATE_CUSTOM(renames_valid)},
    SMT_REPLACE_NULL_DEF,
    /* Connect before 4.0 translated these deprecated names to exclude / include */
    {.name = "blacklist",
     .type = SL_CFG_LIST,
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Deprecated. Use exclude instead."},
    {.name = "whitelist",
     .type = SL_CFG_LIST,
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Deprecated. Use include instead."},
    SL_CONFIG_END,
};

typedef struct rename {
    char *from, *to;
} rename_pair;

typedef struct replace_field {
    smt_part part;
    char **exclude, **include; /* NULL-terminated copies */
    size_t nexclude, ninclude;
    rename_pair *renames;
    size_t nrenames;
    bool replace_null;
    smt_cache cache; /* aux: size_t[] input index of each output field */
} replace_field;

static char **copy_list(const char *const *items, size_t n)
{
    char **out = calloc(n + 1, sizeof(*out));
    for (size_t i = 0; out && i < n; i++)
        if ((out[i] = strdup(items[i])) == NULL) {
            smt_list_free(out);
            return NULL;
        }
    return out;
}

static void replace_field_close(void *state)
{
    replace_field *s = state;
    if (s == NULL)
        return;
    smt_list_free(s->exclude);
    smt_list_free(s->include);
    for (size_t i = 0; i < s->nrenames; i++) {
        free(s->renames[i].from);
        free(s->renames[i].to);
    }
    free(s->renames);
    smt_cache_clear(&s->cache);
    free(s);
}

/* The list under `key`, or under its deprecated name when only that one is given. */
static size_t list_or_deprecated(const sl_config *c, const char *key, const char *old,
                                 const char *const **items)
{
    if (!sl_config_is_set(c, key) && sl_config_is_set(c, old)) {
        sl_log(SL_LOG_WARN, "ReplaceField: '%s' is deprecated, use '%s'", old, key);
        return sl_config_list(c, old, items);
    }
    return sl_config_list(c, key, items);
}

static int replace_field_init(const sl_config *c, smt_part part, void **state, char *errstr,
                              size_t errstr_size)
{
    replace_field *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto oom;
    s->part = part;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    const char *const *items = NULL;
    s->nexclude = list_or_deprecated(c, "exclude", "blacklist", &items);
    if ((s->exclude = copy_list(items, s->nexclude)) == NULL)
        goto oom;
    s->ninclude = list_or_deprecated(c, "include", "whitelist", &items);
    if ((s->include = copy_list(items, s->ninclude)) == NULL)
        goto oom;
    size_t nr = sl_config_list(c, "renames", &items);
    s->renames = calloc(nr + 1, sizeof(*s->renames));
    if (s->renames == NULL)
        goto oom;
    for (size_t i = 0; i < nr; i++) {
        const char *colon = strchr(items[i], ':');
        if (colon == NULL || colon[1] == '\0' || strchr(colon + 1, ':') != NULL) {
            snprintf(errstr, errstr_size,
                     "Invalid value %s for configuration renames: Invalid rename mapping: %s",
                     items[i], items[i]);
            replace_field_close(s);
            return SL_ERR;
        }
        rename_pair *rp = &s->renames[s->nrenames++];
        rp->from = strndup(items[i], (size_t)(colon - items[i]));
        rp->to = strdup(colon + 1);
        if (rp->from == NULL || rp->to == NULL)
            goto oom;
    }
    *state = s;
    return SL_OK;
oom:
    replace_field_close(s);
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

static bool keep(const replace_field *s, const char *name)
{
    return !smt_list_has((const char *const *)s->exclude, s->nexclude, name) &&
           (s->ninclude == 0 || smt_list_has((const char *const *)s->include, s->ninclude, name));
}

static const char *renamed(const replace_field *s, const char *name)
{
    /* a HashMap in Connect: the last mapping of a name wins */
    const char *out = name;
    for (size_t i = 0; i < s->nrenames; i++)
        if (strcmp(s->renames[i].from, name) == 0)
            out = s->renames[i].to;
    return out;
}

static int apply_schemaless(replace_field *s, sl_record *r, char *errstr, size_t errstr_size)
{
    sl_schema *sch = NULL;
    sl_value *map = NULL;
    smt_take(r, s->part, &sch, &map);
    sl_value *out = sl_value_new_map();
    if (out == NULL) {
        smt_set(r, s->part, sch, map);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    size_t n = sl_value_map_len(map);
    for (size_t i = 0; i < n; i++) {
        const char *k = smt_map_key_str(map, i);
        if (k == NULL || !keep(s, k))
            continue;
        const char *nk = renamed(s, k);
        sl_value_map_put_str(out, nk, sl_value_map_take_value_at(map, i));
    }
    sl_value_destroy(map);
    smt_set(r, s->part, sch, out);
    return SL_OK;
}

static smt_cache_entry *build(replace_field *s, const sl_schema *in, char *errstr,
                              size_t errstr_size)
{
    size_t n = sl_schema_field_count(in);
    sl_schema *out = smt_struct_like(in);
    size_t *map = calloc(n + 1, sizeof(*map));
    if (out == NULL || map == NULL)
        goto oom;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = sl_schema_field_name(in, i);
        if (!keep(s, name))
            continue;
        const char *nn = renamed(s, name);
        if (sl_schema_add_field(out, nn, sl_schema_ref(sl_schema_field_schema(in, i))) != SL_OK) {
            snprintf(errstr, errstr_size,
                     "Cannot create field because of field name duplication %s", nn);
            sl_schema_unref(out);
            free(map);
            return NULL;
        }
        map[j++] = i;
    }
    return smt_cache_put(&s->cache, in, out, map);
oom:
    sl_schema_unref(out);
    free(map);
    snprintf(errstr, errstr_size, "out of memory");
    return NULL;
}

static int replace_field_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    replace_field *s = state;
    const sl_value *v = smt_operand(r, s->part);
    if (v == NULL)
        return SL_OK;
    if (smt_operand_schema(r, s->part) == NULL) {
        if (smt_require_map(v, PURPOSE, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        return apply_schemaless(s, r, errstr, errstr_size);
    }
    if (smt_require_struct(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    const sl_schema *in = sl_value_struct_schema(v);
    smt_cache_entry *ce = smt_cache_find(&s->cache, in);
    if (ce == NULL && (ce = build(s, in, errstr, errstr_size)) == NULL)
        return SL_ERR;
    sl_value *nv = sl_value_new_struct(ce->out);
    if (nv == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    const size_t *map = ce->aux;
    size_t nout = sl_schema_field_count(ce->out);
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &old_schema, &old);
    for (size_t j = 0; j < nout; j++)
        sl_value_struct_set_index(nv, j, smt_struct_take_field(old, map[j], s->replace_null));
    sl_value_destroy(old);
    sl_schema_unref(old_schema);
    smt_set(r, s->part, sl_schema_ref(ce->out), nv);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(replace_field, "ReplaceField", "Filter or rename fields.", NULL);
