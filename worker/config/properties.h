/* config/properties.h: reading config files: Java properties syntax (worker.properties and
 * connector .properties files) and the JSON connector config files --standalone accepts. */
#ifndef SLUICE_CONFIG_PROPERTIES_H
#define SLUICE_CONFIG_PROPERTIES_H

#include <sluice/sdk.h>

/* Parse `len` bytes of `text` with java.util.Properties.load semantics: `key=value`,
 * `key:value` or `key value`; leading whitespace ignored; lines whose first non-blank character
 * is '#' or '!' are comments; a line ending in an odd number of backslashes continues on the
 * next line (whose leading whitespace is dropped); escapes \t \n \r \f \uXXXX (written as UTF-8)
 * and \<c> = c (so "\=" "\:" "\ " "\\" work in keys and values); later duplicates win.
 * Unlike Java (which reads ISO-8859-1), the text must be UTF-8.
 * `origin` names the input in errors (usually the file's path; may be NULL).
 * On success *out is a new sl_props the caller frees with sl_props_destroy().
 * On failure returns SL_ERR, *out is NULL and errstr says "<origin>:<line>: <reason>" (a
 * truncated or non-hex \u escape, an unpaired surrogate, \u0000, a NUL byte, invalid UTF-8).
 * Thread-safe (no shared state). */
int properties_parse_buffer(const char *origin, const char *text, size_t len, sl_props **out,
                            char *errstr, size_t errstr_size);

/* Read and parse a properties file. Errors name the file (and line for syntax errors), e.g.
 * "config/worker.properties:12: malformed \uxxxx encoding". Caller owns *out. Thread-safe. */
int properties_parse_file(const char *path, sl_props **out, char *errstr, size_t errstr_size);

/* Load a connector config file for --standalone, as Connect's ConnectStandalone does. The file
 * is JSON when its first non-blank character is '{', else Java properties. JSON may be
 * Connect's CreateConnectorRequest shape {"name":..., "config":{...}} (the name is copied into
 * config when absent; a different config.name is an error) or a flat object. Values must be
 * strings; numbers and booleans are accepted as their JSON text and null as a null value
 * (Jackson coerces scalars the same way); arrays and objects are errors naming the file and key.
 * Every shape must end up with a "name".
 * Caller owns *out (sl_props_destroy). Errors in errstr name the file. Thread-safe. */
int connector_config_load_file(const char *path, sl_props **out, char *errstr,
                               size_t errstr_size);

/* Same, from a buffer already in memory (`origin` names it in errors). */
int connector_config_load_buffer(const char *origin, const char *text, size_t len,
                                 sl_props **out, char *errstr, size_t errstr_size);

#endif
