/* plugins/datagen/generator.c: turns a datagen config into what it generates: picks the one
 * schema source (quickstart, schema.string, schema.filename), compiles it, resolves the key. */
#include <stdio.h>
#include <string.h>

#include "datagen.h"
#include "quickstarts.h"
#include "template.h"
#include "trades.h"

/* Confluent's message for a missing or ambiguous schema source. */
#define SOURCE_ERR "Must set exactly one of schema.string, schema.filename, quickstart"

static bool set(const char *s)
{
    return s != NULL && *s != '\0';
}

int dg_generator_open(const sl_config *c, dg_generator *g, const char **bad_key, char *errstr,
                      size_t errstr_size)
{
    memset(g, 0, sizeof(*g));
    g->key_index = -1;
    const char *qs = sl_config_string(c, DG_QUICKSTART);
    const char *str = sl_config_string(c, DG_SCHEMA_STRING);
    const char *file = sl_config_string(c, DG_SCHEMA_FILENAME);
    const char *keyfield = sl_config_string(c, DG_KEYFIELD);
    int n = set(qs) + set(str) + set(file);
    if (n != 1) {
        *bad_key = DG_QUICKSTART;
        snprintf(errstr, errstr_size, "%s", SOURCE_ERR);
        return SL_ERR;
    }
    char err[512] = "";
    if (set(qs)) {
        *bad_key = DG_QUICKSTART;
        const dg_quickstart *q = dg_quickstart_find(qs);
        if (q == NULL) {
            snprintf(errstr, errstr_size,
                     "Unknown quickstart '%s' (known: users, pageviews, orders, trades)", qs);
            return SL_ERR;
        }
        snprintf(g->what, sizeof(g->what), "quickstart %s", q->name);
        if (dg_quickstart_is_trades(q)) {
            if (set(keyfield) && strcmp(keyfield, "id") != 0) {
                *bad_key = DG_KEYFIELD;
                snprintf(errstr, errstr_size,
                         "The trades quickstart is keyed by its primary key \"id\"; "
                         "schema.keyfield must be empty or \"id\"");
                return SL_ERR;
            }
            g->trades = dg_trades_new();
            if (g->trades == NULL) {
                snprintf(errstr, errstr_size, "out of memory");
                return SL_ERR;
            }
            return SL_OK;
        }
        g->tmpl = dg_template_compile(q->json, strlen(q->json), err, sizeof(err));
        if (!set(keyfield))
            keyfield = q->keyfield;
    } else if (set(str)) {
        *bad_key = DG_SCHEMA_STRING;
        snprintf(g->what, sizeof(g->what), "schema.string");
        g->tmpl = dg_template_compile(str, strlen(str), err, sizeof(err));
    } else {
        *bad_key = DG_SCHEMA_FILENAME;
        snprintf(g->what, sizeof(g->what), "schema file %.280s", file);
        g->tmpl = dg_template_load(file, err, sizeof(err));
    }
    if (g->tmpl == NULL) {
        snprintf(errstr, errstr_size, "%s", err);
        return SL_ERR;
    }
    if (set(keyfield)) {
        g->key_index = sl_schema_field_index(dg_template_schema(g->tmpl), keyfield);
        if (g->key_index < 0) {
            *bad_key = DG_KEYFIELD;
            snprintf(errstr, errstr_size, "schema.keyfield '%s' is not a top-level field of %s",
                     keyfield, g->what);
            dg_generator_close(g);
            return SL_ERR;
        }
    }
    return SL_OK;
}

void dg_generator_close(dg_generator *g)
{
    dg_template_free(g->tmpl);
    dg_trades_free(g->trades);
    g->tmpl = NULL;
    g->trades = NULL;
}
