/* config/connector_validate.c: a connector config's full validation (framework keys, aliases,
 * connector keys, sink rules, plugin validate(), converters) as Connect's AbstractHerder does. */
#define _GNU_SOURCE /* asprintf */
#include "config/connector_validate.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/configinfo.h"
#include "config/framework_defs.h"
#include "plugin/registry.h"

/* ---- small string helpers ---- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (p == NULL)
            return;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static char *trimmed(const char *s)
{
    while (*s && (unsigned char)*s <= ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (unsigned char)s[n - 1] <= ' ')
        n--;
    return strndup(s, n);
}

static bool blank(const char *s)
{
    if (s == NULL)
        return true;
    for (; *s; s++)
        if ((unsigned char)*s > ' ')
            return false;
    return true;
}

/* ConnectorPluginsResource.normalizedPluginName: drop a trailing "Connector". */
static char *normalized_plugin_name(const char *name)
{
    size_t n = strlen(name), s = strlen("Connector");
    if (n > s && strcmp(name + n - s, "Connector") == 0)
        n -= s;
    return strndup(name, n);
}

/* Java's Map.toString of the props: "{k=v, k2=v2}". */
static char *props_java_string(const sl_props *p)
{
    sbuf b = {0};
    sb_add(&b, "{");
    for (size_t i = 0; i < sl_props_count(p); i++) {
        const char *v = sl_props_value_at(p, i);
        if (i)
            sb_add(&b, ", ");
        sb_add(&b, sl_props_key_at(p, i));
        sb_add(&b, "=");
        sb_add(&b, v ? v : "null");
    }
    sb_add(&b, "}");
    return b.s;
}

static char *class_names(plugin_kind a, plugin_kind b)
{
    const plugin_entry *const *list;
    size_t n = registry_list(&list);
    sbuf s = {0};
    sb_add(&s, "");
    for (size_t i = 0; i < n; i++) {
        if (list[i]->kind != a && list[i]->kind != b)
            continue;
        if (s.len)
            sb_add(&s, ", ");
        sb_add(&s, list[i]->class_name);
    }
    return s.s;
}

/* NULL-terminated array of the class names of one kind (borrowed strings). Caller frees. */
static const char **kind_classes(plugin_kind kind)
{
    const plugin_entry *const *list;
    size_t n = registry_list(&list), k = 0;
    const char **out = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; out && i < n; i++)
        if (list[i]->kind == kind)
            out[k++] = list[i]->class_name;
    return out;
}

/* ---- transforms.<alias>.* and predicates.<alias>.* (ConnectorConfig.enrich) ---- */

typedef struct alias_kind {
    const char *list_key;  /* "transforms" */
    const char *group;     /* "Transforms" */
    const char *word;      /* "transformation" */
    const char *iface;     /* "Transformation" */
    plugin_kind kind;
} alias_kind;

static const alias_kind TRANSFORMS = {"transforms", "Transforms", "transformation",
                                      "Transformation", PLUGIN_TRANSFORM};
static const alias_kind PREDICATES = {"predicates", "Predicates", "predicate", "Predicate",
                                      PLUGIN_PREDICATE};

/* The unique aliases listed under ak->list_key, in order (Connect's LinkedHashSet). */
static size_t alias_list(const sl_props *raw, const alias_kind *ak, char ***items)
{
    size_t n = config_split_list(sl_props_get(raw, ak->list_key), items);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = strcmp((*items)[j], (*items)[i]) == 0;
        if (dup)
            free((*items)[i]);
        else
            (*items)[k++] = (*items)[i];
    }
    if (*items)
        (*items)[k] = NULL;
    return k;
}

static const void *alias_def(const alias_kind *ak, const char *cls, const sl_config_def **config,
                             void (**validate)(sl_validation *))
{
    if (ak->kind == PLUGIN_TRANSFORM) {
        const sl_transform_def *t = registry_find_transform(cls);
        if (t) {
            *config = t->config;
            *validate = t->validate;
        }
        return t;
    }
    const sl_predicate_def *p = registry_find_predicate(cls);
    if (p) {
        *config = p->config;
        *validate = p->validate;
    }
    return p;
}

static int enrich_aliases(config_schema *s, const sl_props *raw, const alias_kind *ak)
{
    char **aliases;
    size_t n = alias_list(raw, ak, &aliases);
    const char **recommended = kind_classes(ak->kind);
    int rc = SL_OK;
    for (size_t i = 0; i < n && rc == SL_OK; i++) {
        char prefix[512], group[512], name[600], buf[700];
        snprintf(prefix, sizeof(prefix), "%s.%s.", ak->list_key, aliases[i]);
        snprintf(group, sizeof(group), "%s: %s", ak->group, aliases[i]);
        snprintf(name, sizeof(name), "%stype", prefix);
        sl_config_def *def = config_schema_alloc(s, sizeof(*def));
        if (def == NULL) {
            rc = SL_ERR;
            break;
        }
        def->name = config_schema_strdup(s, name);
        def->type = SL_CFG_CLASS;
        def->required = true;
        def->importance = SL_IMPORTANCE_HIGH;
        snprintf(buf, sizeof(buf), "Class for the '%s' %s.", aliases[i], ak->word);
        def->doc = config_schema_strdup(s, buf);
        def->width = SL_WIDTH_LONG;
        snprintf(buf, sizeof(buf), "%s type for %s", ak->iface, aliases[i]);
        def->display_name = config_schema_strdup(s, buf);
        rc = config_schema_add_key(s, def, NULL, group, 0, recommended);
        const char *cls = sl_props_get(raw, name);
        if (rc != SL_OK || cls == NULL)
            continue;
        char *t = trimmed(cls);
        const sl_config_def *config = NULL;
        void (*validate)(sl_validation *) = NULL;
        if (t && alias_def(ak, t, &config, &validate)) {
            const sl_config_def *tables[2] = {framework_transform_stage_defs, config};
            if (ak->kind == PLUGIN_TRANSFORM)
                rc = config_schema_embed(s, prefix, group, 1, tables, 2);
            else
                rc = config_schema_embed(s, prefix, group, 1, tables + 1, 1);
        }
        free(t);
    }
    free(recommended);
    config_list_free(aliases);
    return rc;
}

/* Checks Connect makes in the alias type validators, plus a predicate alias that is not
 * listed (Connect only fails on it when the connector starts), and the plugins' validate(). */
static void check_aliases(const sl_config *cfg, const sl_props *raw, config_result *r,
                          const alias_kind *ak)
{
    char **aliases, **predicates = NULL;
    size_t n = alias_list(raw, ak, &aliases);
    size_t npred = ak->kind == PLUGIN_TRANSFORM ? alias_list(raw, &PREDICATES, &predicates) : 0;
    for (size_t i = 0; i < n; i++) {
        char prefix[512], key[600], pkey[600];
        snprintf(prefix, sizeof(prefix), "%s.%s.", ak->list_key, aliases[i]);
        snprintf(key, sizeof(key), "%stype", prefix);
        const char *cls = sl_config_string(cfg, key);
        const sl_config_def *config = NULL;
        void (*validate)(sl_validation *) = NULL;
        ssize_t ti = config_result_find(r, key);
        if (cls != NULL && ti >= 0 && config_result_errors(r, (size_t)ti, NULL) == 0 &&
            !alias_def(ak, cls, &config, &validate))
            config_result_add_errorf(r, key, "Class class %s does not implement the %s interface",
                                     cls, ak->iface);
        if (ak->kind == PLUGIN_TRANSFORM) {
            snprintf(pkey, sizeof(pkey), "%snegate", prefix);
            char predkey[600];
            snprintf(predkey, sizeof(predkey), "%spredicate", prefix);
            if (sl_props_has(raw, pkey) && !sl_props_has(raw, predkey))
                config_result_add_errorf(r, key,
                                         "Config '%s' was provided but there is no config '%s' "
                                         "defining a predicate to be negated.",
                                         pkey, predkey);
            const char *pred = sl_props_get(raw, predkey);
            char *p = pred ? trimmed(pred) : NULL;
            if (p && *p) {
                bool listed = false;
                for (size_t j = 0; j < npred && !listed; j++)
                    listed = strcmp(predicates[j], p) == 0;
                if (!listed)
                    config_result_add_errorf(r, predkey,
                                             "Invalid value %s for configuration predicate: "
                                             "the predicate alias '%s' is not listed in "
                                             "'predicates'",
                                             p, p);
            }
            free(p);
        }
        if (validate != NULL) {
            /* The plugin validates its own keys, unprefixed; report them under the prefix. */
            sl_props *sub = config_props_with_prefix(raw, prefix, true);
            const sl_config_def *tables[2] = {framework_transform_stage_defs, config};
            bool tr = ak->kind == PLUGIN_TRANSFORM;
            sl_config *scfg = config_parse(tr ? tables : tables + 1, tr ? 2 : 1, sub, NULL);
            config_result *sr = config_result_new();
            config_run_validate(sr, scfg, validate);
            const char *ek, *em;
            for (size_t k = 0; config_result_error_at(sr, k, &ek, &em); k++) {
                char full[700];
                snprintf(full, sizeof(full), "%s%s", prefix, ek);
                config_result_add_error(r, full, em);
            }
            config_result_free(sr);
            config_free(scfg);
            sl_props_destroy(sub);
        }
    }
    config_list_free(aliases);
    config_list_free(predicates);
}

/* ---- sink rules (SinkConnectorConfig.validate) ---- */

static void sink_error(config_result *r, const sl_props *raw, const char *key, const char *msg)
{
    if (config_result_find(r, key) < 0)
        config_result_add(r, key, sl_props_get(raw, key));
    config_result_add_error(r, key, msg);
}

static void check_sink(const sl_props *raw, config_result *r)
{
    const char *topics = sl_props_get(raw, "topics");
    const char *regex = sl_props_get(raw, "topics.regex");
    const char *dlq_raw = sl_props_get(raw, "errors.deadletterqueue.topic.name");
    char *dlq = trimmed(dlq_raw ? dlq_raw : "");
    bool has_topics = !blank(topics), has_regex = !blank(regex), has_dlq = dlq && *dlq;
    if (has_topics && has_regex) {
        const char *m = "topics and topics.regex are mutually exclusive options, but both are set.";
        sink_error(r, raw, "topics", m);
        sink_error(r, raw, "topics.regex", m);
    }
    if (!has_topics && !has_regex) {
        const char *m = "Must configure one of topics or topics.regex";
        sink_error(r, raw, "topics", m);
        sink_error(r, raw, "topics.regex", m);
    }
    if (has_dlq && has_topics) {
        char **items;
        size_t n = config_split_list(topics, &items), k = 0;
        bool found = false;
        for (size_t i = 0; i < n; i++) { /* parseTopicsList: non-empty, distinct */
            bool dup = items[i][0] == '\0';
            for (size_t j = 0; j < k && !dup; j++)
                dup = strcmp(items[j], items[i]) == 0;
            if (dup) {
                free(items[i]);
                continue;
            }
            items[k++] = items[i];
            found = found || strcmp(items[k - 1], dlq) == 0;
        }
        items[k] = NULL;
        if (found) {
            char *list = config_list_java_string((const char *const *)items, k);
            char *m = NULL;
            if (asprintf(&m,
                         "The DLQ topic '%s' may not be included in the list of topics "
                         "('topics=%s') consumed by the connector",
                         dlq, list ? list : "[]") >= 0)
                sink_error(r, raw, "topics", m);
            free(m);
            free(list);
        }
        config_list_free(items);
    }
    if (has_dlq && has_regex) {
        char *anchored = NULL;
        regex_t re;
        /* Pattern.matcher(dlq).matches(): the whole name must match */
        if (asprintf(&anchored, "^(%s)$", regex) >= 0 &&
            regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) == 0) {
            if (regexec(&re, dlq, 0, NULL, 0) == 0) {
                char *m = NULL;
                if (asprintf(&m,
                             "The DLQ topic '%s' may not be matched by the regex for the topics "
                             "('topics.regex=%s') consumed by the connector",
                             dlq, regex) >= 0)
                    sink_error(r, raw, "topics.regex", m);
                free(m);
            }
            regfree(&re);
        }
        free(anchored);
    }
    free(dlq);
}

/* ---- converters (AbstractHerder.validateConverterConfig) ---- */

typedef struct converter_role {
    const char *key;   /* "key.converter" */
    const char *type;  /* converter.type value: "key" */
    bool header;
} converter_role;

/* Checks the converter class named by cr->key (an error on that key when it is not a converter
 * of the right kind) and validates its own keys under "<key>.". Returns their prefixed
 * ConfigInfos (NULL when there is nothing to show) and, in *sub, their result (caller frees). */
static json_t *check_converter(const sl_props *raw, config_result *r, const converter_role *cr,
                               config_result **sub)
{
    *sub = NULL;
    ssize_t i = config_result_find(r, cr->key);
    if (sl_props_get(raw, cr->key) == NULL || i < 0 || config_result_errors(r, (size_t)i, NULL))
        return NULL;
    const char *cls = config_result_value(r, (size_t)i);
    const sl_converter_def *def = NULL;
    if (cls != NULL) {
        const plugin_entry *e =
            registry_find(cr->header ? PLUGIN_HEADER_CONVERTER : PLUGIN_CONVERTER, cls);
        def = e ? e->def.converter : NULL;
    }
    if (def == NULL) {
        config_result_add_errorf(r, cr->key, "Class class %s does not implement the %s interface",
                                 cls ? cls : "null", cr->header ? "HeaderConverter" : "Converter");
        return NULL;
    }
    if (def->config == NULL)
        return NULL; /* nothing more to check, as Connect with a null ConfigDef */
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%s.", cr->key);
    sl_props *props = config_props_with_prefix(raw, prefix, true);
    if (!sl_props_has(props, "converter.type"))
        sl_props_set(props, "converter.type", cr->type);
    const sl_config_def *tables[1] = {def->config};
    sl_config *cfg = config_parse(tables, 1, props, sub);
    json_t *infos = cfg ? configinfo_prefixed(config_schema_of(cfg), *sub, prefix) : NULL;
    config_free(cfg);
    sl_props_destroy(props);
    return infos;
}

/* ---- entry points ---- */

int connector_validate(const sl_props *raw, const char *expected_type, json_t **configinfos,
                       config_result **result, char *errstr, size_t errstr_size)
{
    *configinfos = NULL;
    if (result)
        *result = NULL;
    const char *conn_type = sl_props_get(raw, "connector.class");
    if (conn_type != NULL && expected_type != NULL) {
        char *a = normalized_plugin_name(conn_type), *b = normalized_plugin_name(expected_type);
        size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
        bool ok = a && b && la >= lb && strcmp(a + la - lb, b) == 0;
        free(a);
        free(b);
        if (!ok) {
            snprintf(errstr, errstr_size,
                     "Included connector type %s does not match request type %s", conn_type,
                     expected_type);
            return CONNECTOR_VALIDATE_BAD_REQUEST;
        }
    }
    if (conn_type == NULL) {
        char *m = props_java_string(raw);
        snprintf(errstr, errstr_size, "Connector config %s contains no connector type",
                 m ? m : "{}");
        free(m);
        return CONNECTOR_VALIDATE_BAD_REQUEST;
    }
    char *t = trimmed(conn_type);
    const sl_connector_def *def = t ? registry_find_connector(t) : NULL;
    free(t);
    if (def == NULL) {
        char *names = class_names(PLUGIN_SINK, PLUGIN_SOURCE);
        snprintf(errstr, errstr_size,
                 "Failed to find any class that implements Connector and which name matches %s, "
                 "available connectors are: %s",
                 conn_type, names ? names : "");
        free(names);
        return SL_ERR;
    }

    config_schema *s = config_schema_new();
    const sl_config_def *const *ft;
    size_t nft = framework_connector_tables(def->kind, &ft);
    int rc = s ? SL_OK : SL_ERR;
    for (size_t i = 0; i < nft && rc == SL_OK; i++)
        rc = config_schema_add_table(s, ft[i], false);
    if (rc == SL_OK)
        rc = enrich_aliases(s, raw, &TRANSFORMS);
    if (rc == SL_OK)
        rc = enrich_aliases(s, raw, &PREDICATES);
    if (rc == SL_OK) /* the connector's own definitions replace the framework's (putAll) */
        rc = config_schema_add_table(s, def->config, true);
    if (rc != SL_OK) {
        config_schema_free(s);
        snprintf(errstr, errstr_size, "out of memory building the configuration definitions");
        return SL_ERR;
    }
    config_result *r = NULL;
    sl_config *cfg = config_parse_schema(s, raw, &r);
    if (cfg == NULL || r == NULL) {
        config_free(cfg);
        config_result_free(r);
        snprintf(errstr, errstr_size, "out of memory validating the configuration");
        return SL_ERR;
    }
    if (def->kind == SL_CONNECTOR_SINK)
        check_sink(raw, r);
    for (size_t i = 0; i < sl_props_count(raw); i++)
        if (sl_props_value_at(raw, i) == NULL)
            config_result_add_error(r, sl_props_key_at(raw, i),
                                    "Null value can not be supplied as the configuration value.");
    check_aliases(cfg, raw, r, &TRANSFORMS);
    check_aliases(cfg, raw, r, &PREDICATES);
    config_run_validate(r, cfg, def->validate);

    static const converter_role roles[] = {{"header.converter", "header", true},
                                           {"key.converter", "key", false},
                                           {"value.converter", "value", false}};
    /* Converter class checks add errors to the main entries, so they run before the main
     * ConfigInfos is generated; the converters' own keys follow it, in Connect's order. */
    json_t *conv[3];
    config_result *conv_r[3];
    for (int i = 0; i < 3; i++)
        conv[i] = check_converter(raw, r, &roles[i], &conv_r[i]);
    json_t *infos = configinfo_generate(conn_type, config_schema_of(cfg), r);
    for (int i = 0; i < 3; i++) {
        configinfo_merge(infos, conv[i]);
        json_decref(conv[i]);
        /* the caller's result lists converter errors too, under their full names */
        const char *ek, *em;
        for (size_t k = 0; conv_r[i] && config_result_error_at(conv_r[i], k, &ek, &em); k++) {
            char full[600];
            snprintf(full, sizeof(full), "%s.%s", roles[i].key, ek);
            config_result_add_error(r, full, em);
        }
        config_result_free(conv_r[i]);
    }
    config_free(cfg);
    if (infos == NULL) {
        config_result_free(r);
        snprintf(errstr, errstr_size, "out of memory building the validation result");
        return SL_ERR;
    }
    *configinfos = infos;
    if (result)
        *result = r;
    else
        config_result_free(r);
    return SL_OK;
}

char *connector_validate_message(const json_t *configinfos)
{
    int n = configinfo_error_count(configinfos);
    if (n <= 0)
        return NULL;
    sbuf b = {0};
    char head[128];
    snprintf(head, sizeof(head),
             "Connector configuration is invalid and contains the following %d error(s):", n);
    sb_add(&b, head);
    size_t i, j;
    json_t *ci, *e;
    json_array_foreach(json_object_get(configinfos, "configs"), i, ci) {
        json_array_foreach(json_object_get(json_object_get(ci, "value"), "errors"), j, e) {
            sb_add(&b, "\n");
            sb_add(&b, json_string_value(e) ? json_string_value(e) : "");
        }
    }
    sb_add(&b, "\nYou can also find the above list of errors at the endpoint "
               "`/connector-plugins/{connectorType}/config/validate`");
    return b.s;
}

int connector_plugin_config(const char *plugin, json_t **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    const plugin_entry *e = plugin ? registry_find_any(plugin) : NULL;
    if (e == NULL) {
        snprintf(errstr, errstr_size, "Unknown plugin %s.", plugin ? plugin : "null");
        return CONNECTOR_VALIDATE_NOT_FOUND;
    }
    const sl_config_def *tables[3] = {NULL, NULL, NULL};
    size_t n = 1;
    switch (e->kind) {
    case PLUGIN_SINK:
    case PLUGIN_SOURCE: {
        const sl_config_def *const *ft;
        size_t nft = framework_connector_tables(e->def.connector->kind, &ft);
        tables[0] = e->def.connector->config;
        for (size_t i = 0; i < nft && i < 2; i++)
            tables[n++] = ft[i];
        break;
    }
    case PLUGIN_TRANSFORM: tables[0] = e->def.transform->config; break;
    case PLUGIN_PREDICATE: tables[0] = e->def.predicate->config; break;
    case PLUGIN_CONVERTER:
    case PLUGIN_HEADER_CONVERTER: tables[0] = e->def.converter->config; break;
    default:
        snprintf(errstr, errstr_size,
                 "Invalid plugin class %s. Valid types are sink, source, converter, "
                 "header_converter, transformation, predicate.",
                 plugin);
        return CONNECTOR_VALIDATE_BAD_REQUEST;
    }
    *out = configinfo_key_list(tables, n);
    if (*out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return SL_OK;
}

sl_config *connector_config_parse(const sl_connector_def *def, const sl_props *raw,
                                  config_result **result)
{
    if (def == NULL) {
        if (result)
            *result = NULL;
        return NULL;
    }
    const sl_config_def *const *ft;
    size_t nft = framework_connector_tables(def->kind, &ft);
    const sl_config_def *tables[3] = {def->config, ft[0], nft > 1 ? ft[1] : NULL};
    return config_parse(tables, 1 + nft, raw, result);
}
