/* plugin/registry.c: the table of registered classes (built-in converters and what plugins
 * provide), kept in GET /connector-plugins order, and Connect's class-name resolution. */
#include "plugin/registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "data/converters.h"
#include "plugin/registry_internal.h"
#include "util/log.h"

#define LOGGER "plugin"

/* Entries are allocated one by one so that pointers handed out stay valid while the array
 * grows; the array itself is kept sorted (kind, then class name) after every addition, so
 * lookups and registry_list() never write anything. */
static struct {
    bool ready;
    plugin_entry **entries;
    size_t n, cap;
} g_reg;

/* Ambiguous names already warned about: a lookup is otherwise read-only, this is the one piece
 * of state it touches, hence the lock. */
static pthread_mutex_t g_warn_lock = PTHREAD_MUTEX_INITIALIZER;
static char **g_warned;
static size_t g_nwarned;

static const char *const k_kind_names[] = {
    [PLUGIN_SINK] = "sink",
    [PLUGIN_SOURCE] = "source",
    [PLUGIN_TRANSFORM] = "transformation",
    [PLUGIN_PREDICATE] = "predicate",
    [PLUGIN_CONVERTER] = "converter",
    [PLUGIN_HEADER_CONVERTER] = "header_converter",
};

const char *plugin_kind_name(plugin_kind kind)
{
    if ((unsigned)kind >= sizeof(k_kind_names) / sizeof(k_kind_names[0]))
        return "unknown";
    return k_kind_names[kind];
}

bool registry_ready(void) { return g_reg.ready; }

static int entry_cmp(const void *a, const void *b)
{
    const plugin_entry *x = *(const plugin_entry *const *)a;
    const plugin_entry *y = *(const plugin_entry *const *)b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->class_name, y->class_name);
}

int registry_add(plugin_kind kind, const char *class_name, const char *version,
                 const char *origin, const void *def)
{
    if (!g_reg.ready || class_name == NULL || def == NULL)
        return SL_ERR;
    if (g_reg.n == g_reg.cap) {
        size_t cap = g_reg.cap ? g_reg.cap * 2 : 32;
        plugin_entry **grown = realloc(g_reg.entries, cap * sizeof(*grown));
        if (grown == NULL)
            return SL_ERR;
        g_reg.entries = grown;
        g_reg.cap = cap;
    }
    plugin_entry *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return SL_ERR;
    e->kind = kind;
    e->class_name = class_name;
    e->version = version;
    e->origin = origin;
    switch (kind) {
    case PLUGIN_SINK:
    case PLUGIN_SOURCE:
        e->def.connector = def;
        break;
    case PLUGIN_TRANSFORM:
        e->def.transform = def;
        break;
    case PLUGIN_PREDICATE:
        e->def.predicate = def;
        break;
    case PLUGIN_CONVERTER:
    case PLUGIN_HEADER_CONVERTER:
        e->def.converter = def;
        break;
    default:
        free(e);
        return SL_ERR;
    }
    g_reg.entries[g_reg.n++] = e;
    qsort(g_reg.entries, g_reg.n, sizeof(*g_reg.entries), entry_cmp);
    return SL_OK;
}

static void register_builtin_converters(void)
{
    const sl_converter_def *const *defs = converters_builtin();
    for (size_t i = 0; defs != NULL && defs[i] != NULL; i++) {
        const sl_converter_def *d = defs[i];
        if (d->class_name == NULL)
            continue;
        /* Connect's SimpleHeaderConverter implements HeaderConverter only, so
         * GET /connector-plugins lists it as a header_converter alone, and validation refuses
         * it as key.converter or value.converter. sl_converter_def cannot say "header only",
         * hence the special case for this one built-in. */
        bool value_converter = d != &simple_header_converter_def;
        if ((value_converter &&
             registry_add(PLUGIN_CONVERTER, d->class_name, d->version, "builtin", d) != SL_OK) ||
            (d->header_converter && registry_add(PLUGIN_HEADER_CONVERTER, d->class_name,
                                                 d->version, "builtin", d) != SL_OK))
            LOG_ERROR(LOGGER, "Could not register built-in converter %s: out of memory",
                      d->class_name);
    }
}

int registry_init(void)
{
    if (g_reg.ready) {
        LOG_ERROR(LOGGER, "registry_init called twice");
        return SL_ERR;
    }
    g_reg.ready = true;
    register_builtin_converters();
    return SL_OK;
}

void registry_shutdown(void)
{
    if (!g_reg.ready)
        return;
    for (size_t i = 0; i < g_reg.n; i++)
        free(g_reg.entries[i]);
    free(g_reg.entries);
    g_reg.entries = NULL;
    g_reg.n = g_reg.cap = 0;
    /* Entries borrow class names and defs from the plugins: drop them before unloading. */
    loader_unload_all();
    pthread_mutex_lock(&g_warn_lock);
    for (size_t i = 0; i < g_nwarned; i++)
        free(g_warned[i]);
    free(g_warned);
    g_warned = NULL;
    g_nwarned = 0;
    pthread_mutex_unlock(&g_warn_lock);
    g_reg.ready = false;
}

const plugin_entry *registry_lookup_class(unsigned kind_mask, const char *class_name)
{
    if (!g_reg.ready || class_name == NULL)
        return NULL;
    for (size_t i = 0; i < g_reg.n; i++) {
        const plugin_entry *e = g_reg.entries[i];
        if ((kind_mask & REGISTRY_KIND_BIT(e->kind)) && strcmp(e->class_name, class_name) == 0)
            return e;
    }
    return NULL;
}

/* Suffixes Connect prunes to form the short alias (PluginUtils.prunedName): "Connector" for
 * connectors, the kind's interface name for the others. A converter listed as a header
 * converter is the same class, so both converter suffixes apply to both converter kinds. */
static const char *const *kind_suffixes(plugin_kind kind)
{
    static const char *const connector[] = {"Connector", NULL};
    static const char *const converter[] = {"HeaderConverter", "Converter", NULL};
    static const char *const transform[] = {"Transformation", NULL};
    static const char *const predicate[] = {"Predicate", NULL};
    switch (kind) {
    case PLUGIN_SINK:
    case PLUGIN_SOURCE:
        return connector;
    case PLUGIN_CONVERTER:
    case PLUGIN_HEADER_CONVERTER:
        return converter;
    case PLUGIN_TRANSFORM:
        return transform;
    case PLUGIN_PREDICATE:
        return predicate;
    }
    return connector + 1;
}

/* True if `name` is one of e's aliases: the simple name (everything after the last '.', so a
 * nested class keeps its "$": "InsertField$Value"), or the simple name without its kind's
 * suffix ("FileStreamSink" for FileStreamSinkConnector, "Json" for JsonConverter). */
static bool entry_has_alias(const plugin_entry *e, const char *name)
{
    const char *dot = strrchr(e->class_name, '.');
    const char *simple = dot ? dot + 1 : e->class_name;
    if (strcmp(simple, name) == 0)
        return true;
    size_t slen = strlen(simple), nlen = strlen(name);
    for (const char *const *sfx = kind_suffixes(e->kind); *sfx != NULL; sfx++) {
        size_t xlen = strlen(*sfx);
        if (slen > xlen && nlen == slen - xlen && strcmp(simple + nlen, *sfx) == 0 &&
            strncmp(simple, name, nlen) == 0)
            return true;
    }
    return false;
}

/* Warn about an ambiguous name once per name per registry lifetime, whatever thread asks. */
static void warn_ambiguous_once(const char *name, const plugin_entry *a, const plugin_entry *b)
{
    bool first = true;
    pthread_mutex_lock(&g_warn_lock);
    for (size_t i = 0; i < g_nwarned && first; i++)
        if (strcmp(g_warned[i], name) == 0)
            first = false;
    if (first) {
        char **grown = realloc(g_warned, (g_nwarned + 1) * sizeof(*grown));
        char *copy = strdup(name);
        if (grown != NULL)
            g_warned = grown;
        if (grown != NULL && copy != NULL)
            g_warned[g_nwarned++] = copy;
        else
            free(copy);
    }
    pthread_mutex_unlock(&g_warn_lock);
    if (first)
        LOG_WARN(LOGGER,
                 "Plugin name '%s' is ambiguous: it matches %s (%s) and %s (%s); use the fully "
                 "qualified class name",
                 name, a->class_name, a->origin, b->class_name, b->origin);
}

/* Connect's resolution: an exact class name wins; otherwise an alias must designate exactly one
 * class name among the kinds asked for (a class listed under two kinds, such as a converter
 * that is also a header converter, counts once). Aliases are scoped to the kinds asked for, so
 * a transform and a predicate sharing a simple name do not hide each other. */
static const plugin_entry *resolve(unsigned kind_mask, const char *name)
{
    if (!g_reg.ready || name == NULL || name[0] == '\0')
        return NULL;
    const plugin_entry *exact = registry_lookup_class(kind_mask, name);
    if (exact != NULL)
        return exact;
    const plugin_entry *found = NULL;
    for (size_t i = 0; i < g_reg.n; i++) {
        const plugin_entry *e = g_reg.entries[i];
        if (!(kind_mask & REGISTRY_KIND_BIT(e->kind)) || !entry_has_alias(e, name))
            continue;
        if (found == NULL) {
            found = e;
        } else if (strcmp(found->class_name, e->class_name) != 0) {
            warn_ambiguous_once(name, found, e);
            return NULL;
        }
    }
    return found;
}

const plugin_entry *registry_find(plugin_kind kind, const char *name)
{
    if ((unsigned)kind > PLUGIN_HEADER_CONVERTER)
        return NULL;
    return resolve(REGISTRY_KIND_BIT(kind), name);
}

const sl_connector_def *registry_find_connector(const char *name)
{
    const plugin_entry *e = resolve(REGISTRY_CONNECTOR_KINDS, name);
    return e ? e->def.connector : NULL;
}

const sl_transform_def *registry_find_transform(const char *name)
{
    const plugin_entry *e = resolve(REGISTRY_KIND_BIT(PLUGIN_TRANSFORM), name);
    return e ? e->def.transform : NULL;
}

const sl_predicate_def *registry_find_predicate(const char *name)
{
    const plugin_entry *e = resolve(REGISTRY_KIND_BIT(PLUGIN_PREDICATE), name);
    return e ? e->def.predicate : NULL;
}

const sl_converter_def *registry_find_converter(const char *name)
{
    /* Both converter kinds: the runtime builds header converters with this too. */
    const plugin_entry *e = resolve(REGISTRY_CONVERTER_KINDS, name);
    return e ? e->def.converter : NULL;
}

const plugin_entry *registry_find_any(const char *name)
{
    return resolve(REGISTRY_ALL_KINDS, name);
}

size_t registry_list(const plugin_entry *const **out)
{
    if (out != NULL)
        *out = (const plugin_entry *const *)g_reg.entries;
    return g_reg.ready ? g_reg.n : 0;
}
