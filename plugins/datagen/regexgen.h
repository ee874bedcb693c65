/* plugins/datagen/regexgen.h: strings that match a regular expression, for the `regex`
 * annotation of datagen templates (a documented subset of regex syntax; see README.md). */
#ifndef SLUICE_PLUGINS_DATAGEN_REGEXGEN_H
#define SLUICE_PLUGINS_DATAGEN_REGEXGEN_H

#include <stddef.h>

#include "rng.h"

/* Limits that keep hostile patterns cheap: pattern length, group nesting, a counted
 * repetition's bound, the extra repetitions an unbounded quantifier (*, +, {n,}) may add, and
 * the longest string generated (generation stops adding repetitions past it). */
#define DG_REGEX_MAX_PATTERN 4096
#define DG_REGEX_MAX_DEPTH 32
#define DG_REGEX_MAX_REPEAT 1000
#define DG_REGEX_UNBOUNDED_EXTRA 8
#define DG_REGEX_MAX_OUTPUT 65536

/* A compiled pattern: immutable after compilation, so one may be shared by threads. */
typedef struct dg_regex dg_regex;

/* Compile `pattern` (NUL-terminated, borrowed). Returns the pattern (caller frees it with
 * dg_regex_free), or NULL with the position and reason in errstr. */
dg_regex *dg_regex_compile(const char *pattern, char *errstr, size_t errstr_size);

/* A random string matching `re`, drawn from `rng`. Caller frees it with free(); *len gets its
 * length (may be NULL). NULL only on out of memory. */
char *dg_regex_generate(const dg_regex *re, dg_rng *rng, size_t *len);

/* Free a compiled pattern. NULL is accepted. */
void dg_regex_free(dg_regex *re);

#endif
