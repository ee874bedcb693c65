/* plugin/loader.c: finds plugin shared objects on plugin.path, dlopens them, checks their ABI
 * and manifest, and registers the classes they provide; refused plugins are skipped, not fatal. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin/registry.h"
#include "plugin/registry_internal.h"
#include "util/log.h"

#define LOGGER "plugin"

/* Sizes of the ABI 1.0 layouts. A plugin built against an older minor has a shorter struct;
 * when a struct grows, its entry here becomes offsetof(T, first_field_added). */
#define LOADER_MANIFEST_MIN sizeof(sl_manifest)
#define LOADER_CONNECTOR_MIN sizeof(sl_connector_def)
#define LOADER_TRANSFORM_MIN sizeof(sl_transform_def)
#define LOADER_PREDICATE_MIN sizeof(sl_predicate_def)
#define LOADER_CONVERTER_MIN sizeof(sl_converter_def)
/* Anything larger is not a struct but garbage (a wrong pointer, an uninitialised field). */
#define LOADER_STRUCT_MAX 65536u
/* Longest list a manifest may hold; guards against a list that was never NULL-terminated. */
#define LOADER_LIST_MAX 4096

/* A plugin kept after loading. Its defs are copied into host-sized, zero-padded structs so
 * that the runtime can read every field of the current ABI even from an older plugin. */
typedef struct loader_plugin {
    void *handle;
    char *path; /* as found on plugin.path; the origin of its entries */
    const sl_manifest *manifest;
    void **copies;
    size_t ncopies, capcopies;
    struct loader_plugin *next; /* newer plugins first: unloading walks in reverse load order */
} loader_plugin;

static loader_plugin *g_plugins;

typedef struct loader_counts {
    size_t connectors, transforms, predicates, converters, skipped;
} loader_counts;

static void plugin_free(loader_plugin *p)
{
    for (size_t i = 0; i < p->ncopies; i++)
        free(p->copies[i]);
    free(p->copies);
    free(p->path);
    free(p);
}

void loader_unload_all(void)
{
    while (g_plugins != NULL) {
        loader_plugin *p = g_plugins;
        g_plugins = p->next;
        if (p->manifest->fini != NULL)
            p->manifest->fini();
        dlclose(p->handle);
        plugin_free(p);
    }
}

static const loader_plugin *find_handle(const void *handle)
{
    for (const loader_plugin *p = g_plugins; p != NULL; p = p->next)
        if (p->handle == handle)
            return p;
    return NULL;
}

/* Copy a def of `struct_size` bytes into a zeroed struct of the host's `host_size`. */
static void *copy_def(loader_plugin *p, const void *def, uint32_t struct_size, size_t host_size)
{
    if (p->ncopies == p->capcopies) {
        size_t cap = p->capcopies ? p->capcopies * 2 : 8;
        void **grown = realloc(p->copies, cap * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        p->copies = grown;
        p->capcopies = cap;
    }
    void *copy = calloc(1, host_size);
    if (copy == NULL)
        return NULL;
    memcpy(copy, def, struct_size < host_size ? struct_size : host_size);
    p->copies[p->ncopies++] = copy;
    return copy;
}

/* Checks shared by every kind of def: a sane struct_size and a class name. */
static const char *check_common(uint32_t struct_size, size_t min_size, const char *class_name)
{
    if (struct_size < min_size || struct_size > LOADER_STRUCT_MAX)
        return "its struct_size is not that of an ABI 1.x definition";
    if (class_name == NULL || class_name[0] == '\0')
        return "it has no class_name";
    return NULL;
}

static const char *check_connector(const sl_connector_def *d)
{
    const char *why = check_common(d->struct_size, LOADER_CONNECTOR_MIN, d->class_name);
    if (why != NULL)
        return why;
    if (d->kind != SL_CONNECTOR_SOURCE && d->kind != SL_CONNECTOR_SINK)
        return "its kind is neither SL_CONNECTOR_SOURCE nor SL_CONNECTOR_SINK";
    if (d->start == NULL || d->task_configs == NULL || d->task_start == NULL)
        return "start, task_configs and task_start are required";
    if (d->kind == SL_CONNECTOR_SOURCE && d->poll == NULL)
        return "a source connector needs poll";
    if (d->kind == SL_CONNECTOR_SINK && d->put == NULL)
        return "a sink connector needs put";
    return NULL;
}

static const char *check_transform(const sl_transform_def *d)
{
    const char *why = check_common(d->struct_size, LOADER_TRANSFORM_MIN, d->class_name);
    if (why == NULL && (d->init == NULL || d->apply == NULL))
        why = "init and apply are required";
    return why;
}

static const char *check_predicate(const sl_predicate_def *d)
{
    const char *why = check_common(d->struct_size, LOADER_PREDICATE_MIN, d->class_name);
    if (why == NULL && (d->init == NULL || d->test == NULL))
        why = "init and test are required";
    return why;
}

static const char *check_converter(const sl_converter_def *d)
{
    const char *why = check_common(d->struct_size, LOADER_CONVERTER_MIN, d->class_name);
    if (why == NULL && (d->init == NULL || d->from_value == NULL || d->to_value == NULL))
        why = "init, from_value and to_value are required";
    return why;
}

/* Refuse a class name already registered: the first one loaded wins (plugin.path order, then
 * file name order), as Connect keeps one class per name and warns about the others. Returns
 * true if `class_name` is free. */
static bool check_unique(const loader_plugin *p, unsigned kind_mask, const char *what,
                         const char *class_name)
{
    const plugin_entry *prev = registry_lookup_class(kind_mask, class_name);
    if (prev == NULL)
        return true;
    if (strcmp(prev->origin, p->path) == 0)
        LOG_WARN(LOGGER, "Plugin %s lists %s %s twice; ignoring the second definition", p->path,
                 what, class_name);
    else
        LOG_WARN(LOGGER,
                 "Ignoring %s %s from %s: the class is already registered by %s, which is kept",
                 what, class_name, p->path, prev->origin);
    return false;
}

/* One def from a manifest list, with what registering it needs. */
typedef struct def_info {
    const char *what; /* "connector", "transform", ... for messages */
    size_t index;     /* position in the manifest's list */
    plugin_kind kind;
    unsigned dup_mask; /* kinds among which the class name must be unique */
    size_t host_size;  /* sizeof the host's struct */
    bool also_header;  /* a converter usable as a header converter */
    const void *def;
    uint32_t struct_size;
    const char *class_name;
    const char *version;
    const char *why; /* NULL if the def passed its checks */
} def_info;

/* Register one def of any kind: refuse invalid ones and duplicates, copy, add. */
static void register_def(loader_plugin *p, loader_counts *c, const def_info *d, size_t *count)
{
    if (d->why != NULL) {
        LOG_WARN(LOGGER, "Ignoring %s #%zu (%s) of plugin %s: %s", d->what, d->index,
                 d->class_name && d->class_name[0] ? d->class_name : "unnamed", p->path, d->why);
        c->skipped++;
        return;
    }
    if (!check_unique(p, d->dup_mask, d->what, d->class_name)) {
        c->skipped++;
        return;
    }
    const void *copy = copy_def(p, d->def, d->struct_size, d->host_size);
    if (copy == NULL ||
        registry_add(d->kind, d->class_name, d->version, p->path, copy) != SL_OK ||
        (d->also_header &&
         registry_add(PLUGIN_HEADER_CONVERTER, d->class_name, d->version, p->path, copy) !=
             SL_OK)) {
        LOG_ERROR(LOGGER, "Out of memory registering %s %s of plugin %s", d->what,
                  d->class_name, p->path);
        c->skipped++;
        return;
    }
    (*count)++;
}

/* True (after a warning) when a list runs past LOADER_LIST_MAX without its NULL. */
static bool list_too_long(const loader_plugin *p, size_t i, const char *what)
{
    if (i < LOADER_LIST_MAX)
        return false;
    LOG_WARN(LOGGER, "Plugin %s lists more than %d %ss; ignoring the rest", p->path,
             LOADER_LIST_MAX, what);
    return true;
}

static void register_manifest(loader_plugin *p, loader_counts *c)
{
    const sl_manifest *m = p->manifest;
    for (size_t i = 0; m->connectors != NULL && m->connectors[i] != NULL; i++) {
        if (list_too_long(p, i, "connector"))
            break;
        const sl_connector_def *d = m->connectors[i];
        const char *why = check_connector(d);
        plugin_kind kind =
            why == NULL && d->kind == SL_CONNECTOR_SOURCE ? PLUGIN_SOURCE : PLUGIN_SINK;
        register_def(p, c,
                     &(def_info){"connector", i, kind, REGISTRY_CONNECTOR_KINDS,
                                 sizeof(sl_connector_def), false, d, d->struct_size,
                                 d->class_name, d->version, why},
                     &c->connectors);
    }
    for (size_t i = 0; m->transforms != NULL && m->transforms[i] != NULL; i++) {
        if (list_too_long(p, i, "transform"))
            break;
        const sl_transform_def *d = m->transforms[i];
        register_def(p, c,
                     &(def_info){"transform", i, PLUGIN_TRANSFORM,
                                 REGISTRY_KIND_BIT(PLUGIN_TRANSFORM), sizeof(sl_transform_def),
                                 false, d, d->struct_size, d->class_name, d->version,
                                 check_transform(d)},
                     &c->transforms);
    }
    for (size_t i = 0; m->predicates != NULL && m->predicates[i] != NULL; i++) {
        if (list_too_long(p, i, "predicate"))
            break;
        const sl_predicate_def *d = m->predicates[i];
        register_def(p, c,
                     &(def_info){"predicate", i, PLUGIN_PREDICATE,
                                 REGISTRY_KIND_BIT(PLUGIN_PREDICATE), sizeof(sl_predicate_def),
                                 false, d, d->struct_size, d->class_name, d->version,
                                 check_predicate(d)},
                     &c->predicates);
    }
    for (size_t i = 0; m->converters != NULL && m->converters[i] != NULL; i++) {
        if (list_too_long(p, i, "converter"))
            break;
        const sl_converter_def *d = m->converters[i];
        const char *why = check_converter(d);
        register_def(p, c,
                     &(def_info){"converter", i, PLUGIN_CONVERTER, REGISTRY_CONVERTER_KINDS,
                                 sizeof(sl_converter_def),
                                 why == NULL && d->header_converter, d, d->struct_size,
                                 d->class_name, d->version, why},
                     &c->converters);
    }
}

/* The ABI and layout checks on what the entry returned: true if acceptable, else false with
 * the reason in `why`. The first three fields are the same in every ABI major, so reading
 * them is safe whatever the plugin was built for. */
static bool check_manifest(const sl_manifest *m, char *why, size_t why_size)
{
    if (m->abi_major != SL_ABI_MAJOR) {
        snprintf(why, why_size, "built for ABI %u.%u, worker speaks ABI %d.%d", m->abi_major,
                 m->abi_minor, SL_ABI_MAJOR, SL_ABI_MINOR);
        return false;
    }
    if (m->abi_minor > SL_ABI_MINOR) {
        snprintf(why, why_size, "built for ABI %u.%u, newer than the worker's %d.%d",
                 m->abi_major, m->abi_minor, SL_ABI_MAJOR, SL_ABI_MINOR);
        return false;
    }
    if (m->struct_size < LOADER_MANIFEST_MIN || m->struct_size > LOADER_STRUCT_MAX) {
        snprintf(why, why_size, "manifest struct_size %u is not that of an ABI %d.x manifest "
                 "(at least %zu)", m->struct_size, SL_ABI_MAJOR, (size_t)LOADER_MANIFEST_MIN);
        return false;
    }
    return true;
}

/* Outcome of one file. */
typedef enum load_result { LOAD_OK, LOAD_ALREADY, LOAD_FAILED } load_result;

/* dlerror() usually starts with the path; the caller's message already names the file. */
static const char *strip_path(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (msg == NULL)
        return "unknown dlopen error";
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

#define FAIL(...)                                                                                \
    do {                                                                                         \
        char why_[768];                                                                          \
        snprintf(why_, sizeof(why_), __VA_ARGS__);                                               \
        snprintf(errstr, errstr_size, "%s: %s", path, why_);                                     \
    } while (0)

static load_result load_file(const char *path, char *errstr, size_t errstr_size)
{
    if (!registry_ready()) {
        FAIL("the plugin registry is not initialised");
        return LOAD_FAILED;
    }
    dlerror();
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        FAIL("%s", strip_path(dlerror(), path));
        return LOAD_FAILED;
    }
    /* dlopen of a file already loaded (the same path twice on plugin.path, a symlink) returns
     * the same handle; registering it again would only produce duplicate warnings. */
    const loader_plugin *prev = find_handle(handle);
    if (prev != NULL) {
        dlclose(handle);
        LOG_DEBUG(LOGGER, "Plugin %s is already loaded as %s", path, prev->path);
        return LOAD_ALREADY;
    }
    void *sym = dlsym(handle, SL_PLUGIN_ENTRY_SYMBOL);
    if (sym == NULL) {
        dlclose(handle);
        FAIL("no entry point " SL_PLUGIN_ENTRY_SYMBOL);
        return LOAD_FAILED;
    }
    sl_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof(entry)); /* object to function pointer, as POSIX allows */
    char reason[512] = "";
    const sl_manifest *m = entry(registry_host_table(), reason, sizeof(reason));
    if (m == NULL) {
        dlclose(handle);
        FAIL("entry failed: %s", reason[0] ? reason : "no reason given");
        return LOAD_FAILED;
    }
    char why[512];
    if (!check_manifest(m, why, sizeof(why))) {
        dlclose(handle);
        FAIL("%s", why);
        return LOAD_FAILED;
    }
    reason[0] = '\0';
    if (m->init != NULL && m->init(reason, sizeof(reason)) != SL_OK) {
        /* init did not complete, so there is nothing for fini to undo. */
        dlclose(handle);
        FAIL("init failed: %s", reason[0] ? reason : "no reason given");
        return LOAD_FAILED;
    }

    loader_plugin *p = calloc(1, sizeof(*p));
    if (p == NULL || (p->path = strdup(path)) == NULL) {
        free(p);
        if (m->fini != NULL)
            m->fini();
        dlclose(handle);
        FAIL("out of memory");
        return LOAD_FAILED;
    }
    p->handle = handle;
    p->manifest = m;
    /* Keep the plugin listed before registering, so that the duplicate check can tell a class
     * listed twice in this plugin from one registered by another file. */
    p->next = g_plugins;
    g_plugins = p;
    loader_counts c = {0};
    register_manifest(p, &c);
    size_t total = c.connectors + c.transforms + c.predicates + c.converters;
    if (total == 0) {
        g_plugins = p->next;
        if (m->fini != NULL)
            m->fini();
        dlclose(handle);
        plugin_free(p);
        FAIL("%s", c.skipped ? "none of its classes could be registered"
                             : "it provides no connectors, transforms, predicates or converters");
        return LOAD_FAILED;
    }
    LOG_INFO(LOGGER,
             "Loaded plugin %s %s from %s: %zu connector(s), %zu transform(s), %zu predicate(s), "
             "%zu converter(s)%s",
             m->name ? m->name : "(unnamed)", m->version ? m->version : "(no version)", path,
             c.connectors, c.transforms, c.predicates, c.converters,
             c.skipped ? " (some classes skipped, see above)" : "");
    return LOAD_OK;
}

int registry_load_file(const char *path, char *errstr, size_t errstr_size)
{
    char scratch[2];
    if (errstr == NULL || errstr_size == 0) {
        errstr = scratch;
        errstr_size = sizeof(scratch);
    }
    errstr[0] = '\0';
    if (path == NULL) {
        snprintf(errstr, errstr_size, "no plugin path given");
        return SL_ERR;
    }
    return load_file(path, errstr, errstr_size) == LOAD_FAILED ? SL_ERR : SL_OK;
}

static bool has_so_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* Load one file found on plugin.path; logs the refusal. Returns 1 if a plugin was loaded. */
static int load_logged(const char *path)
{
    char errstr[1024];
    load_result r = load_file(path, errstr, sizeof(errstr));
    if (r == LOAD_FAILED)
        LOG_WARN(LOGGER, "Skipping plugin %s", errstr);
    return r == LOAD_OK;
}

/* Load every *.so in `dir` in name order, and (depth 0 only) in its immediate subdirectories,
 * since a Connect plugin directory holds one folder per plugin. Hidden entries are skipped. */
static int scan_dir(const char *dir, int depth)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        LOG_WARN(LOGGER, "Cannot read plugin directory %s: %s", dir, strerror(errno));
        return 0;
    }
    int loaded = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char full[4096];
        struct stat st;
        if (name[0] != '.' && (size_t)snprintf(full, sizeof(full), "%s/%s", dir, name) <
                                  sizeof(full) &&
            stat(full, &st) == 0) {
            if (S_ISREG(st.st_mode) && has_so_suffix(name))
                loaded += load_logged(full);
            else if (S_ISDIR(st.st_mode) && depth == 0)
                loaded += scan_dir(full, depth + 1);
        }
        free(names[i]);
    }
    free(names);
    return loaded;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

int registry_load_path(const char *plugin_path)
{
    if (plugin_path == NULL)
        return 0;
    char *copy = strdup(plugin_path);
    if (copy == NULL) {
        LOG_ERROR(LOGGER, "Out of memory reading plugin.path");
        return 0;
    }
    int loaded = 0, entries = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        const char *entry = trim(tok);
        struct stat st;
        if (entry[0] == '\0')
            continue;
        entries++;
        if (stat(entry, &st) != 0)
            LOG_WARN(LOGGER, "Ignoring plugin.path entry %s: %s", entry, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            loaded += scan_dir(entry, 0);
        else if (S_ISREG(st.st_mode) && has_so_suffix(entry))
            loaded += load_logged(entry);
        else
            LOG_WARN(LOGGER, "Ignoring plugin.path entry %s: not a directory or a .so file",
                     entry);
    }
    free(copy);
    if (entries > 0)
        LOG_INFO(LOGGER, "Loaded %d plugin(s) from plugin.path %s", loaded, plugin_path);
    return loaded;
}
