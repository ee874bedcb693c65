/* transforms/field_path.h: Connect's single field paths (field.syntax.version): V1 names one
 * top-level field; V2 is a dotted path with backtick quoting (KIP-821), e.g. "`a.b`.c".
 * Thread rules: a parsed path is immutable; lookups are thread-safe for distinct values. */
#ifndef SLUICE_TRANSFORMS_FIELD_PATH_H
#define SLUICE_TRANSFORMS_FIELD_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include <sluice/sdk.h>

typedef struct smt_field_path {
    char **steps; /* at least one */
    size_t n;
} smt_field_path;

/* Parse `path` with syntax "V1" or "V2" (case-insensitive). SL_OK fills *p (free with
 * smt_field_path_free); SL_ERR with Connect's message ("Incomplete backtick pair in path:
 * [...]...") in errstr. */
int smt_field_path_parse(const char *path, bool v2, smt_field_path *p, char *errstr,
                         size_t errstr_size);
void smt_field_path_free(smt_field_path *p);

/* SingleFieldPath.fieldFrom: the index of the last step in the struct schema it belongs to
 * (*parent gets that schema, borrowed) or -1 when a step is missing or crosses a non-struct. */
int smt_field_path_field(const smt_field_path *p, const sl_schema *schema,
                         const sl_schema **parent);

/* SingleFieldPath.valueFrom(Struct): the value at the path (borrowed; NULL when a step is
 * missing or an intermediate struct is null). SL_ERR with "Only Struct objects supported for
 * [nested field access], found: ..." in errstr when an intermediate value is not a struct. */
int smt_field_path_struct_value(const smt_field_path *p, const sl_value *st, bool with_default,
                                const sl_value **out, char *errstr, size_t errstr_size);
/* valueFrom(Map): likewise for schemaless maps (intermediates must be maps). */
int smt_field_path_map_value(const smt_field_path *p, const sl_value *map, const sl_value **out,
                             char *errstr, size_t errstr_size);

#endif
