/* plugins/datagen/template.h: datagen templates: an Avro-like JSON schema whose types may carry
 * "arg.properties" (options, range, iteration, regex, length, prefix, suffix, odds, keys),
 * compiled once into a Connect schema and a generator of random values for it. */
#ifndef SLUICE_PLUGINS_DATAGEN_TEMPLATE_H
#define SLUICE_PLUGINS_DATAGEN_TEMPLATE_H

#include <sluice/sdk.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest template text accepted (schema.string or schema.filename). */
#define DG_TEMPLATE_MAX_BYTES (1024 * 1024)

/* A compiled template. Immutable once compiled: generation only reads it, so one template may
 * be used by several threads at once (each with its own values). */
typedef struct dg_template dg_template;

/* Compile the JSON text `json` (borrowed; need not be NUL-terminated, `len` bytes). The top
 * level must be a record. Returns the template (caller frees with dg_template_free), or NULL
 * with a reason naming the offending field path in errstr. */
dg_template *dg_template_compile(const char *json, size_t len, char *errstr, size_t errstr_size);

/* Read `path` (at most DG_TEMPLATE_MAX_BYTES) and compile it. Same ownership as above. */
dg_template *dg_template_load(const char *path, char *errstr, size_t errstr_size);

/* The Connect schema of the generated values: a STRUCT named after the record's full name
 * (namespace.name). Borrowed: valid while the template lives; take a reference to keep it. */
const sl_schema *dg_template_schema(const dg_template *t);

/* Generate value number `index` for `seed`: the same (template, seed, index) always gives
 * the same value, and "iteration" annotations count `index`. Caller owns the result (a STRUCT
 * with dg_template_schema as its schema); NULL on out of memory. */
sl_value *dg_template_generate(const dg_template *t, uint64_t seed, uint64_t index);

/* Free a template. NULL is accepted. */
void dg_template_free(dg_template *t);

#endif
