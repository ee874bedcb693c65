/* config/props.c: sl_props, the ordered string-to-string map used for raw configs and task
 * configs (the sl_props_* functions of SL_CONFIG_API). */
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

#include <sluice/sdk.h>

/* Insertion-ordered array with linear lookup: configs hold tens of keys, and keeping the order
 * the user wrote them in makes logs, REST output and offsets deterministic. */
typedef struct props_entry {
    char *key;
    char *value; /* NULL = a null value (Connect allows them in REST bodies) */
} props_entry;

struct sl_props {
    props_entry *entries;
    size_t count;
    size_t cap;
};

static char *props_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static ssize_t props_index(const sl_props *p, const char *key)
{
    if (p == NULL || key == NULL)
        return -1;
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->entries[i].key, key) == 0)
            return (ssize_t)i;
    return -1;
}

sl_props *sl_props_new(void)
{
    return calloc(1, sizeof(sl_props));
}

void sl_props_destroy(sl_props *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->entries[i].key);
        free(p->entries[i].value);
    }
    free(p->entries);
    free(p);
}

sl_props *sl_props_copy(const sl_props *p)
{
    sl_props *c = sl_props_new();
    if (c == NULL || p == NULL)
        return c;
    for (size_t i = 0; i < p->count; i++)
        sl_props_set(c, p->entries[i].key, p->entries[i].value);
    return c;
}

void sl_props_set(sl_props *p, const char *key, const char *value)
{
    if (p == NULL || key == NULL)
        return;
    ssize_t i = props_index(p, key);
    if (i >= 0) {
        char *v = props_strdup(value);
        if (value != NULL && v == NULL)
            return; /* out of memory: keep the old value rather than lose it */
        free(p->entries[i].value);
        p->entries[i].value = v;
        return;
    }
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        props_entry *e = realloc(p->entries, cap * sizeof(*e));
        if (e == NULL)
            return;
        p->entries = e;
        p->cap = cap;
    }
    char *k = strdup(key);
    char *v = props_strdup(value);
    if (k == NULL || (value != NULL && v == NULL)) {
        free(k);
        free(v);
        return;
    }
    p->entries[p->count].key = k;
    p->entries[p->count].value = v;
    p->count++;
}

int sl_props_remove(sl_props *p, const char *key)
{
    ssize_t i = props_index(p, key);
    if (i < 0)
        return SL_ERR;
    free(p->entries[i].key);
    free(p->entries[i].value);
    memmove(&p->entries[i], &p->entries[i + 1], (p->count - (size_t)i - 1) * sizeof(props_entry));
    p->count--;
    return SL_OK;
}

const char *sl_props_get(const sl_props *p, const char *key)
{
    ssize_t i = props_index(p, key);
    return i < 0 ? NULL : p->entries[i].value;
}

bool sl_props_has(const sl_props *p, const char *key)
{
    return props_index(p, key) >= 0;
}

size_t sl_props_count(const sl_props *p)
{
    return p ? p->count : 0;
}

const char *sl_props_key_at(const sl_props *p, size_t i)
{
    return (p && i < p->count) ? p->entries[i].key : NULL;
}

const char *sl_props_value_at(const sl_props *p, size_t i)
{
    return (p && i < p->count) ? p->entries[i].value : NULL;
}
