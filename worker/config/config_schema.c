/* config/config_schema.c: building config schemas: adding tables (first wins or replace),
 * embedding prefixed tables in Connect's sorted order, run-time keys, and the name index. */
#include "config/config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== schemas ==== */

config_schema *config_schema_new(void)
{
    return calloc(1, sizeof(config_schema));
}

void config_schema_free(config_schema *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    free(s->owned);
    free(s->keys);
    free(s->groups);
    free(s->index);
    free(s);
}

void *config_schema_alloc(config_schema *s, size_t size)
{
    if (s->nowned == s->ocap) {
        size_t cap = s->ocap ? s->ocap * 2 : 16;
        void **o = realloc(s->owned, cap * sizeof(void *));
        if (o == NULL)
            return NULL;
        s->owned = o;
        s->ocap = cap;
    }
    void *p = calloc(1, size ? size : 1);
    if (p != NULL)
        s->owned[s->nowned++] = p;
    return p;
}

const char *config_schema_strdup(config_schema *s, const char *str)
{
    if (str == NULL)
        return NULL;
    size_t n = strlen(str) + 1;
    char *p = config_schema_alloc(s, n);
    if (p != NULL)
        memcpy(p, str, n);
    return p;
}

static ssize_t schema_find_linear(const config_schema *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->keys[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

static int schema_add_group(config_schema *s, const char *group)
{
    if (group == NULL)
        return 0;
    for (size_t i = 0; i < s->ngroups; i++)
        if (strcmp(s->groups[i], group) == 0)
            return 0;
    if (s->ngroups == s->gcap) {
        size_t cap = s->gcap ? s->gcap * 2 : 8;
        const char **g = realloc(s->groups, cap * sizeof(char *));
        if (g == NULL)
            return -1;
        s->groups = g;
        s->gcap = cap;
    }
    s->groups[s->ngroups++] = group;
    return 0;
}

/* Put `k` in the schema: replace a key of the same name in place when `replace`, else keep
 * the old one. */
static int schema_put(config_schema *s, const config_key *k, bool replace)
{
    if (s->frozen)
        return SL_ERR;
    ssize_t i = schema_find_linear(s, k->name);
    if (i >= 0) {
        if (replace)
            s->keys[i] = *k;
        return schema_add_group(s, k->group) < 0 ? SL_ERR : SL_OK;
    }
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        config_key *keys = realloc(s->keys, cap * sizeof(config_key));
        if (keys == NULL)
            return SL_ERR;
        s->keys = keys;
        s->cap = cap;
    }
    s->keys[s->count++] = *k;
    return schema_add_group(s, k->group) < 0 ? SL_ERR : SL_OK;
}

/* The order a definition shows: its own, else its 1-based position among the table's keys of
 * its group, else -1 (Connect's default for keys defined without a group). */
static int def_order(const sl_config_def *table, const sl_config_def *def)
{
    if (def->order != 0)
        return def->order;
    if (def->group == NULL)
        return -1;
    int n = 0;
    for (const sl_config_def *d = table; d->name != NULL; d++) {
        if (d->group != NULL && strcmp(d->group, def->group) == 0)
            n++;
        if (d == def)
            break;
    }
    return n;
}

int config_schema_add_table(config_schema *s, const sl_config_def *table, bool replace)
{
    if (s == NULL)
        return SL_ERR;
    if (table == NULL)
        return SL_OK;
    for (const sl_config_def *d = table; d->name != NULL; d++) {
        config_key k = {.name = d->name,
                        .short_name = d->name,
                        .def = d,
                        .group = d->group,
                        .order = def_order(table, d),
                        .recommended = d->recommended,
                        .dependents = d->dependents};
        if (schema_put(s, &k, replace) != SL_OK)
            return SL_ERR;
    }
    return SL_OK;
}

static const char *const *copy_strv(config_schema *s, const char *const *v, const char *prefix)
{
    if (v == NULL)
        return NULL;
    size_t n = 0;
    while (v[n])
        n++;
    const char **out = config_schema_alloc(s, (n + 1) * sizeof(char *));
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (prefix != NULL) {
            char *p = config_schema_alloc(s, strlen(prefix) + strlen(v[i]) + 1);
            if (p != NULL)
                sprintf(p, "%s%s", prefix, v[i]);
            out[i] = p;
        } else {
            out[i] = config_schema_strdup(s, v[i]);
        }
    }
    return out;
}

int config_schema_add_key(config_schema *s, const sl_config_def *def, const char *name,
                          const char *group, int order, const char *const *recommended)
{
    if (s == NULL || def == NULL)
        return SL_ERR;
    config_key k = {.name = config_schema_strdup(s, name ? name : def->name),
                    .short_name = def->name,
                    .def = def,
                    .group = config_schema_strdup(s, group),
                    .order = order,
                    .recommended = copy_strv(s, recommended, NULL),
                    .dependents = def->dependents};
    if (k.name == NULL)
        return SL_ERR;
    return schema_put(s, &k, true);
}

/* An element of a child ConfigDef being embedded. */
typedef struct embed_item {
    const sl_config_def *def;
    int order;
    int group_ord; /* position of its group among the child's groups; -1 = no group */
} embed_item;

/* ConfigDef.compare used by sortedConfigs(). */
static int embed_cmp(const embed_item *a, const embed_item *b)
{
    if (a->group_ord != b->group_ord) {
        if (a->group_ord < 0)
            return -1;
        if (b->group_ord < 0)
            return 1;
        return a->group_ord < b->group_ord ? -1 : 1;
    }
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    if (a->def->required != b->def->required)
        return a->def->required ? -1 : 1;
    if (a->def->importance != b->def->importance)
        return a->def->importance < b->def->importance ? -1 : 1;
    return strcmp(a->def->name, b->def->name);
}

int config_schema_embed(config_schema *s, const char *prefix, const char *group, int start_order,
                        const sl_config_def *const *tables, size_t ntables)
{
    if (s == NULL || prefix == NULL || group == NULL)
        return SL_ERR;
    size_t n = 0, cap = 0;
    embed_item *items = NULL;
    const char **groups = NULL;
    size_t ngroups = 0;
    int rc = SL_ERR;
    for (size_t t = 0; t < ntables; t++) {
        if (tables[t] == NULL)
            continue;
        for (const sl_config_def *d = tables[t]; d->name != NULL; d++) {
            bool dup = false;
            for (size_t i = 0; i < n && !dup; i++)
                dup = strcmp(items[i].def->name, d->name) == 0;
            if (dup)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                embed_item *it = realloc(items, cap * sizeof(*it));
                const char **g = realloc(groups, cap * sizeof(char *));
                if (it)
                    items = it;
                if (g)
                    groups = g;
                if (!it || !g)
                    goto out;
            }
            int gord = -1;
            if (d->group != NULL) {
                for (size_t i = 0; i < ngroups; i++)
                    if (strcmp(groups[i], d->group) == 0)
                        gord = (int)i;
                if (gord < 0) {
                    gord = (int)ngroups;
                    groups[ngroups++] = d->group;
                }
            }
            items[n++] =
                (embed_item){.def = d, .order = def_order(tables[t], d), .group_ord = gord};
        }
    }
    /* insertion sort: child definitions are few, and it needs no global comparator state */
    for (size_t i = 1; i < n; i++) {
        embed_item x = items[i];
        size_t j = i;
        while (j > 0 && embed_cmp(&items[j - 1], &x) > 0) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = x;
    }
    int order = start_order;
    for (size_t i = 0; i < n; i++) {
        const sl_config_def *d = items[i].def;
        char *name = config_schema_alloc(s, strlen(prefix) + strlen(d->name) + 1);
        size_t glen = strlen(group) + (d->group ? strlen(d->group) + 2 : 0) + 1;
        char *grp = config_schema_alloc(s, glen);
        if (name == NULL || grp == NULL)
            goto out;
        sprintf(name, "%s%s", prefix, d->name);
        if (d->group)
            snprintf(grp, glen, "%s: %s", group, d->group);
        else
            snprintf(grp, glen, "%s", group);
        int this_order = order++;
        config_key k = {.name = name,
                        .short_name = d->name,
                        .def = d,
                        .group = grp,
                        .order = this_order,
                        .recommended = d->recommended,
                        .dependents = copy_strv(s, d->dependents, prefix)};
        if (schema_put(s, &k, true) != SL_OK)
            goto out;
    }
    rc = SL_OK;
out:
    free(items);
    free(groups);
    return rc;
}

size_t config_schema_count(const config_schema *s)
{
    return s ? s->count : 0;
}

const config_key *config_schema_key(const config_schema *s, size_t i)
{
    return (s && i < s->count) ? &s->keys[i] : NULL;
}

static int index_cmp(const void *a, const void *b)
{
    return strcmp(((const config_index_entry *)a)->name, ((const config_index_entry *)b)->name);
}

int config_schema_freeze(config_schema *s)
{
    if (s->frozen)
        return SL_OK;
    s->index = malloc((s->count ? s->count : 1) * sizeof(config_index_entry));
    if (s->index == NULL)
        return SL_ERR;
    for (size_t i = 0; i < s->count; i++)
        s->index[i] = (config_index_entry){.name = s->keys[i].name, .i = i};
    qsort(s->index, s->count, sizeof(config_index_entry), index_cmp);
    s->frozen = true;
    return SL_OK;
}

ssize_t config_schema_index(const config_schema *s, const char *name)
{
    if (s == NULL || name == NULL)
        return -1;
    if (!s->frozen)
        return schema_find_linear(s, name);
    config_index_entry key = {.name = name};
    const config_index_entry *e =
        bsearch(&key, s->index, s->count, sizeof(config_index_entry), index_cmp);
    return e ? (ssize_t)e->i : -1;
}

const config_key *config_schema_find(const config_schema *s, const char *name)
{
    ssize_t i = config_schema_index(s, name);
    return i < 0 ? NULL : &s->keys[i];
}

size_t config_schema_group_count(const config_schema *s)
{
    return s ? s->ngroups : 0;
}

const char *config_schema_group(const config_schema *s, size_t i)
{
    return (s && i < s->ngroups) ? s->groups[i] : NULL;
}
