/* plugins/datagen/template_internal.h: the compiled form of a datagen template, shared by the
 * compiler (template_parse.c) and the schema builder and generator (template_gen.c). */
#ifndef SLUICE_PLUGINS_DATAGEN_TEMPLATE_INTERNAL_H
#define SLUICE_PLUGINS_DATAGEN_TEMPLATE_INTERNAL_H

#include <jansson.h>
#include <sluice/sdk.h>
#include <stdbool.h>
#include <stdint.h>

#include "regexgen.h"
#include "rng.h"
#include "template.h"

/* Limits against hostile templates: type nesting, node count, generated lengths. */
#define DG_MAX_DEPTH 32
#define DG_MAX_NODES 10000
#define DG_MAX_STRING_LENGTH 65536
#define DG_MAX_COLLECTION_LENGTH 10000
/* Arg's default length range for strings, bytes, arrays and maps: [8, 16). */
#define DG_DEFAULT_LEN_MIN 8
#define DG_DEFAULT_LEN_MAX 16

typedef enum dg_kind {
    DG_BOOLEAN,
    DG_INT,
    DG_LONG,
    DG_FLOAT,
    DG_DOUBLE,
    DG_BYTES,
    DG_STRING,
    DG_RECORD,
    DG_ENUM,
    DG_ARRAY,
    DG_MAP,
    DG_FIXED,
    DG_OPTIONAL, /* a union of null and `child`: Connect optional; null half of the time */
} dg_kind;

/* "iteration": value n is `initial` + n*step until it reaches `restart`, then cycles from
 * `start`. Integers use the i* fields, floating types the d* fields, booleans `bstart`. */
typedef struct dg_iteration {
    bool has_restart;
    int64_t istart, istep, irestart, iinitial;
    double dstart, dstep, drestart, dinitial;
    bool bstart;
} dg_iteration;

typedef struct dg_node dg_node;
struct dg_node {
    dg_kind kind;
    sl_logical logical;       /* DATE/TIME on INT, TIMESTAMP on LONG, DECIMAL on BYTES */
    int32_t scale, precision; /* DECIMAL */
    char *name;               /* full name of RECORD, ENUM, FIXED (NULL: unnamed record) */
    bool defining;            /* a RECORD whose fields are being compiled (no self-reference) */
    /* annotations (arg.properties) */
    json_t *options; /* JSON array (owned reference), converted per use */
    bool has_range;
    int64_t imin, imax; /* [imin, imax) for INT/LONG */
    double dmin, dmax;  /* [dmin, dmax) for FLOAT/DOUBLE */
    bool has_iteration;
    dg_iteration iter;
    dg_regex *regex;
    bool has_length;
    int64_t len_min, len_max; /* [len_min, len_max) for STRING, BYTES, ARRAY, MAP */
    char *prefix, *suffix;
    bool has_odds;
    double odds;
    dg_node *keys; /* MAP: a STRING node for the keys */
    /* structure */
    size_t nfields;
    char **field_names;
    dg_node **fields;
    dg_node *child; /* ARRAY items, MAP values, OPTIONAL's non-null branch */
    char **symbols; /* ENUM */
    size_t nsymbols;
    int64_t fixed_size;
};

struct dg_template {
    dg_node **nodes; /* every node, owned here (named types are shared by reference) */
    size_t nnodes, cap;
    dg_node *root;
    sl_schema *schema;
};

/* ---- template_parse.c / template_annotations.c: the compiler's shared state ---- */

typedef struct dg_named {
    char *fullname;
    dg_node *node;
} dg_named;

/* One compilation: the template being built, the named types seen so far, the field path for
 * messages, and the first error (later ones are dropped). One thread. */
typedef struct dg_compiler {
    dg_template *t;
    dg_named *named;
    size_t nnamed, capnamed;
    char path[512]; /* field path of what is being compiled, for messages */
    char *err;
    size_t errsz;
    bool failed;
} dg_compiler;

/* Record the first error ("template field '<path>': <message>"); returns NULL for chaining. */
void *dg_cfail(dg_compiler *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A new node owned by the template (with Arg's defaults for its kind); NULL after dg_cfail. */
dg_node *dg_node_new(dg_compiler *c, dg_kind kind);
/* The Avro name of a kind, for messages. Static string. */
const char *dg_kind_name(dg_kind k);
/* Append ".part" to the path; returns the mark dg_path_pop restores. */
size_t dg_path_push(dg_compiler *c, const char *part);
void dg_path_pop(dg_compiler *c, size_t mark);

/* An integral JSON number (integer, or a real without fraction) as int64. */
bool dg_json_int64(const json_t *j, int64_t *out);
/* The default [lo, hi) of an INT/LONG node: its logical type's natural span, else the type's. */
void dg_int_default_bounds(const dg_node *n, __int128 *lo, __int128 *hi);
/* Apply the "arg.properties" object `props` (borrowed; NULL = none) to `n`. 0, or -1 after
 * dg_cfail. */
int dg_annotations(dg_compiler *c, dg_node *n, json_t *props, int depth);
/* Check that every option of `n` converts to its type. 0, or -1 after dg_cfail. */
int dg_check_options(dg_compiler *c, dg_node *n);

/* ---- template_gen.c ---- */

/* A new Connect schema for a use of `n` (optional when `optional`). Caller owns it. NULL on
 * out of memory. */
sl_schema *dg_node_schema(const dg_node *n, bool optional);

/* Convert the JSON option `j` (borrowed) for node `n` whose Connect schema is `schema`.
 * Caller owns *out (may be NULL: Connect null). SL_ERR with the reason in errstr. */
int dg_option_value(const dg_node *n, const sl_schema *schema, const json_t *j, sl_value **out,
                    char *errstr, size_t errstr_size);

#endif
