/* runtime/transform_chain.c: builds a connector's SMT chain (transforms, predicates, negate)
 * as Connect's ConnectorConfig.transformationStages does, and applies it per record. */
#include "runtime/transform_chain.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugin/registry.h"
#include "runtime/subconfig.h"
#include "util/log.h"

typedef struct pred_inst {
    char *alias;
    const sl_predicate_def *def;
    sl_config *config;
    void *state;
    bool initialised;
} pred_inst;

typedef struct step {
    char *alias;
    const sl_transform_def *def;
    sl_config *config;
    void *state;
    bool initialised;
    pred_inst *pred; /* borrowed from chain->preds; NULL = unconditional */
    bool negate;
} step;

struct transform_chain {
    step *steps;
    size_t nsteps;
    pred_inst *preds;
    size_t npreds;
    uint64_t dropped;
    char label[128];
    const char *failed_class; /* class of the step that failed last */
    bool (*retry)(void *opaque, int attempt);
    void *retry_opaque;
};

static const sl_transform_def *reg_transform(void *opaque, const char *name)
{
    (void)opaque;
    return registry_find_transform(name);
}

static const sl_predicate_def *reg_predicate(void *opaque, const char *name)
{
    (void)opaque;
    return registry_find_predicate(name);
}

static const transform_resolver k_registry_resolver = {reg_transform, reg_predicate, NULL};

/* Split a LIST value as Connect's ConfigDef does: comma-separated, items trimmed; an empty
 * (or all-blank) string is the empty list. Returns a NULL-terminated array of malloc'd
 * strings in one block the caller frees, or NULL when out of memory. */
static char **split_list(const char *s, size_t *n)
{
    *n = 0;
    size_t len = s ? strlen(s) : 0;
    size_t commas = 0;
    for (size_t i = 0; i < len; i++)
        commas += s[i] == ',';
    size_t maxitems = commas + 1;
    char **items = malloc((maxitems + 1) * sizeof(char *) + len + 1);
    if (items == NULL)
        return NULL;
    char *buf = (char *)(items + maxitems + 1);
    memcpy(buf, s ? s : "", len + 1);
    bool blank = true;
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)buf[i]))
            blank = false;
    if (!blank) {
        char *p = buf;
        for (;;) {
            char *comma = strchr(p, ',');
            if (comma != NULL)
                *comma = '\0';
            while (isspace((unsigned char)*p))
                p++;
            char *end = p + strlen(p);
            while (end > p && isspace((unsigned char)end[-1]))
                *--end = '\0';
            items[(*n)++] = p;
            if (comma == NULL)
                break;
            p = comma + 1;
        }
    }
    items[*n] = NULL;
    return items;
}

static void chain_free(transform_chain *c)
{
    for (size_t i = 0; i < c->nsteps; i++) {
        step *s = &c->steps[i];
        if (s->initialised && s->def->close != NULL)
            s->def->close(s->state);
        subconfig_free(s->config);
        free(s->alias);
    }
    for (size_t i = 0; i < c->npreds; i++) {
        pred_inst *p = &c->preds[i];
        if (p->initialised && p->def->close != NULL)
            p->def->close(p->state);
        subconfig_free(p->config);
        free(p->alias);
    }
    free(c->steps);
    free(c->preds);
    free(c);
}

static int parse_bool(const char *v, bool *out)
{
    if (v == NULL)
        return SL_OK;
    /* ConfigDef BOOLEAN: "true"/"false", case-insensitive, surrounding blanks trimmed. */
    while (isspace((unsigned char)*v))
        v++;
    size_t len = strlen(v);
    while (len > 0 && isspace((unsigned char)v[len - 1]))
        len--;
    if (len == 4 && strncasecmp(v, "true", 4) == 0)
        *out = true;
    else if (len == 5 && strncasecmp(v, "false", 5) == 0)
        *out = false;
    else
        return SL_ERR;
    return SL_OK;
}

/* The predicate instance for `alias`, created on first use. */
static pred_inst *chain_predicate(transform_chain *c, const sl_props *conf,
                                  const transform_resolver *r, const char *const *pred_aliases,
                                  size_t npred_aliases, const char *alias, char *errstr,
                                  size_t errstr_size)
{
    for (size_t i = 0; i < c->npreds; i++)
        if (strcmp(c->preds[i].alias, alias) == 0)
            return &c->preds[i];
    bool listed = false;
    for (size_t i = 0; i < npred_aliases; i++)
        if (strcmp(pred_aliases[i], alias) == 0)
            listed = true;
    char key[512];
    if (!listed) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration predicates: the predicate alias is not "
                 "listed in 'predicates'",
                 alias);
        return NULL;
    }
    snprintf(key, sizeof(key), "predicates.%s.type", alias);
    const char *cls = sl_props_get(conf, key);
    if (cls == NULL || cls[0] == '\0') {
        snprintf(errstr, errstr_size,
                 "Missing required configuration \"%s\" which has no default value.", key);
        return NULL;
    }
    const sl_predicate_def *def = r->predicate(r->opaque, cls);
    if (def == NULL) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration %s: Class %s could not be found.", cls, key,
                 cls);
        return NULL;
    }
    pred_inst *p = &c->preds[c->npreds];
    memset(p, 0, sizeof(*p));
    p->alias = strdup(alias);
    p->def = def;
    if (p->alias == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    c->npreds++;
    char prefix[512], what[600];
    snprintf(prefix, sizeof(prefix), "predicates.%s.", alias);
    snprintf(what, sizeof(what), "predicate %s (%s)", alias, def->class_name);
    sl_props *sub = subconfig_with_prefix(conf, prefix);
    if (sub == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    int rc = subconfig_parse_validated(def->config, def->validate, sub, what, &p->config, errstr,
                                       errstr_size);
    sl_props_destroy(sub);
    if (rc != SL_OK)
        return NULL;
    char perr[512] = "";
    if (def->init != NULL && def->init(p->config, &p->state, perr, sizeof(perr)) != SL_OK) {
        snprintf(errstr, errstr_size, "%s failed to initialise: %s", what,
                 perr[0] ? perr : "unknown error");
        return NULL;
    }
    p->initialised = true;
    return p;
}

int transform_chain_new(const sl_props *conf, const transform_resolver *resolver, const char *label,
                        transform_chain **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    const transform_resolver *r = resolver ? resolver : &k_registry_resolver;
    transform_chain *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    snprintf(c->label, sizeof(c->label), "%s", label ? label : "task");
    size_t nt = 0, np = 0;
    char **aliases = split_list(sl_props_get(conf, "transforms"), &nt);
    char **paliases = split_list(sl_props_get(conf, "predicates"), &np);
    if (aliases == NULL || paliases == NULL)
        goto oom;
    if (nt > 0) {
        c->steps = calloc(nt, sizeof(*c->steps));
        if (c->steps == NULL)
            goto oom;
    }
    if (np > 0) {
        c->preds = calloc(np, sizeof(*c->preds));
        if (c->preds == NULL)
            goto oom;
    }
    /* Connect rejects duplicate aliases in either list ("Duplicate alias provided."). */
    for (size_t i = 0; i < nt; i++)
        for (size_t j = i + 1; j < nt; j++)
            if (strcmp(aliases[i], aliases[j]) == 0) {
                snprintf(errstr, errstr_size,
                         "Invalid value %s for configuration transforms: Duplicate alias "
                         "provided.",
                         aliases[i]);
                goto fail;
            }
    for (size_t i = 0; i < np; i++)
        for (size_t j = i + 1; j < np; j++)
            if (strcmp(paliases[i], paliases[j]) == 0) {
                snprintf(errstr, errstr_size,
                         "Invalid value %s for configuration predicates: Duplicate alias "
                         "provided.",
                         paliases[i]);
                goto fail;
            }
    for (size_t i = 0; i < nt; i++) {
        const char *alias = aliases[i];
        if (alias[0] == '\0') {
            snprintf(errstr, errstr_size,
                     "Invalid value for configuration transforms: empty transform alias");
            goto fail;
        }
        char key[512];
        snprintf(key, sizeof(key), "transforms.%s.type", alias);
        const char *cls = sl_props_get(conf, key);
        if (cls == NULL || cls[0] == '\0') {
            snprintf(errstr, errstr_size,
                     "Missing required configuration \"%s\" which has no default value.", key);
            goto fail;
        }
        const sl_transform_def *def = r->transform(r->opaque, cls);
        if (def == NULL) {
            snprintf(errstr, errstr_size,
                     "Invalid value %s for configuration %s: Class %s could not be found.", cls,
                     key, cls);
            goto fail;
        }
        step *s = &c->steps[c->nsteps];
        s->alias = strdup(alias);
        s->def = def;
        if (s->alias == NULL)
            goto oom;
        c->nsteps++;

        snprintf(key, sizeof(key), "transforms.%s.negate", alias);
        if (parse_bool(sl_props_get(conf, key), &s->negate) != SL_OK) {
            snprintf(errstr, errstr_size,
                     "Invalid value %s for configuration %s: Expected value to be either true "
                     "or false",
                     sl_props_get(conf, key), key);
            goto fail;
        }
        snprintf(key, sizeof(key), "transforms.%s.predicate", alias);
        const char *palias = sl_props_get(conf, key);
        if (palias != NULL && palias[0] != '\0') {
            s->pred = chain_predicate(c, conf, r, (const char *const *)paliases, np, palias, errstr,
                                      errstr_size);
            if (s->pred == NULL)
                goto fail;
        }

        /* The transform sees its prefix's keys minus the chain's own (Connect removes
         * "predicate" and "negate" before configure()). */
        char prefix[512], what[600];
        snprintf(prefix, sizeof(prefix), "transforms.%s.", alias);
        snprintf(what, sizeof(what), "transform %s (%s)", alias, def->class_name);
        sl_props *sub = subconfig_with_prefix(conf, prefix);
        if (sub == NULL)
            goto oom;
        sl_props_remove(sub, "predicate");
        sl_props_remove(sub, "negate");
        int rc = subconfig_parse_validated(def->config, def->validate, sub, what, &s->config,
                                           errstr, errstr_size);
        sl_props_destroy(sub);
        if (rc != SL_OK)
            goto fail;
        char terr[512] = "";
        if (def->init != NULL && def->init(s->config, &s->state, terr, sizeof(terr)) != SL_OK) {
            snprintf(errstr, errstr_size, "%s failed to initialise: %s", what,
                     terr[0] ? terr : "unknown error");
            goto fail;
        }
        s->initialised = true;
    }
    free(aliases);
    free(paliases);
    *out = c;
    return SL_OK;
oom:
    snprintf(errstr, errstr_size, "out of memory building the transform chain");
fail:
    free(aliases);
    free(paliases);
    chain_free(c);
    return SL_ERR;
}

int transform_chain_apply(transform_chain *c, sl_record *record, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < c->nsteps; i++) {
        step *s = &c->steps[i];
        if (s->pred != NULL) {
            bool match = s->pred->def->test(s->pred->state, record) != 0;
            if (match == s->negate)
                continue;
        }
        char terr[512];
        terr[0] = '\0';
        int rc = s->def->apply(s->state, record, terr, sizeof(terr));
        /* Connect retries the failing transformation itself (errors.retry.timeout), not the
         * whole chain; the callback sleeps the backoff and says whether to try again. */
        for (int attempt = 1;
             rc == SL_ERR_RETRIABLE && c->retry != NULL && c->retry(c->retry_opaque, attempt);
             attempt++) {
            terr[0] = '\0';
            rc = s->def->apply(s->state, record, terr, sizeof(terr));
        }
        if (rc == SL_OK)
            continue;
        if (rc == SL_DROP) {
            c->dropped++;
            return SL_DROP;
        }
        c->failed_class = s->def->class_name;
        snprintf(errstr, errstr_size, "transform %s (%s) failed: %s", s->alias, s->def->class_name,
                 terr[0] ? terr : "unknown error");
        return rc < 0 ? rc : SL_ERR;
    }
    return SL_OK;
}

const char *transform_chain_failed_class(const transform_chain *c)
{
    return c ? c->failed_class : NULL;
}

void transform_chain_set_retry(transform_chain *c, bool (*retry)(void *opaque, int attempt),
                               void *opaque)
{
    c->retry = retry;
    c->retry_opaque = opaque;
}

size_t transform_chain_size(const transform_chain *c)
{
    return c ? c->nsteps : 0;
}

uint64_t transform_chain_dropped(const transform_chain *c)
{
    return c ? c->dropped : 0;
}

void transform_chain_destroy(transform_chain *c)
{
    if (c == NULL)
        return;
    if (c->nsteps > 0)
        LOG_DEBUG("runtime", "%s: transform chain dropped %llu record(s)", c->label,
                  (unsigned long long)c->dropped);
    chain_free(c);
}
