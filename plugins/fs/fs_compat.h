/* plugins/fs/fs_compat.h: schema.compatibility (Confluent's StorageSchemaCompatibility): when a
 * record's value schema starts a new file, and the projection of values of older (or newer)
 * schemas onto the file's schema (Connect's SchemaProjector rules). Pure; thread-safe. */
#ifndef SLUICE_PLUGINS_FS_COMPAT_H
#define SLUICE_PLUGINS_FS_COMPAT_H

#include <sluice/sdk.h>

typedef enum fs_compat {
    FS_COMPAT_NONE = 0, /* any schema change starts a new file */
    FS_COMPAT_BACKWARD, /* a newer version starts a new file; older ones are projected */
    FS_COMPAT_FORWARD,  /* an older version starts a new file; newer ones are projected */
    FS_COMPAT_FULL,     /* as BACKWARD */
} fs_compat;

/* NONE, BACKWARD, FORWARD or FULL (case-insensitive); SL_ERR otherwise. */
int fs_compat_parse(const char *name, fs_compat *out);

/* Does the record's value schema `rec` (borrowed, NULL = schemaless) replace the current one
 * `cur` (the schema of the open files; NULL = schemaless)? Returns 1 (new schema: rotate), 0
 * (keep `cur`, project the value onto it when they differ), or SL_ERR when the change cannot
 * be handled (schemaless <-> schema, or a missing version outside NONE), with the reason. */
int fs_compat_should_change(fs_compat c, const sl_schema *rec, const sl_schema *cur, char *errstr,
                            size_t errstr_size);

/* Project `v` (borrowed) of schema `from` onto schema `to`: struct fields by name (missing ones
 * take the target's default or null when optional), numeric promotion (int8 -> ... -> float64),
 * arrays and maps element-wise. The caller owns *out (may be NULL: a null value). SL_ERR with
 * the reason when the schemas are not compatible. */
int fs_project(const sl_schema *from, const sl_value *v, const sl_schema *to, sl_value **out,
               char *errstr, size_t errstr_size);

#endif
