/* plugins/postgres/conninfo.h: connection.url to a libpq conninfo string: the JDBC sink's
 * jdbc:postgresql://host:port/db?prop=value form is translated; postgres:// URIs and
 * key=value conninfo strings are libpq's own and pass through. Pure: no libpq calls. */
#ifndef SLUICE_PLUGINS_POSTGRES_CONNINFO_H
#define SLUICE_PLUGINS_POSTGRES_CONNINFO_H

#include <stddef.h>

#include "strbuf.h"

/* Translate `url`. *out (caller frees) is a conninfo string for PQconnectdbParams'
 * expand_dbname. JDBC properties libpq has no equivalent for are skipped and their names
 * appended, comma-separated, to `ignored` (may be NULL). 0, or -1 with a reason in err. */
int pgc_conninfo_from_url(const char *url, char **out, pg_sb *ignored, char *err, size_t err_size);

#endif
