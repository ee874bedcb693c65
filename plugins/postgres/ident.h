/* plugins/postgres/ident.h: table names for topics (topic2table.map, table.name.format, and
 * Snowflake's repair of invalid names with a hash suffix on collision) and SQL quoting of
 * identifiers. Pure functions: no database, no SDK calls. */
#ifndef SLUICE_PLUGINS_POSTGRES_IDENT_H
#define SLUICE_PLUGINS_POSTGRES_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
#define PGI_MAXLEN 63

/* True if `s` needs no repair: Snowflake's rule for an unquoted identifier (a letter or '_',
 * then letters, digits, '_' or '$'), at most PGI_MAXLEN bytes. */
bool pgi_valid(const char *s);
/* Snowflake's repair: every byte outside [A-Za-z0-9_$] becomes '_', a name starting with a
 * digit or '$' gets a '_' prefix, "" becomes "_". Not truncated. Caller frees; NULL = oom. */
char *pgi_sanitize(const char *s);
/* 32-bit FNV-1a of `s`: the collision suffix is its low 24 bits in hex. */
uint32_t pgi_hash(const char *s);
/* `fmt` with every "${topic}" replaced by `topic`. Caller frees; NULL = oom. */
char *pgi_format(const char *fmt, const char *topic);

/* One topic2table.map entry. */
typedef struct pgi_entry {
    char *topic;
    char *table; /* "table" or "schema.table" */
} pgi_entry;

/* Parse "topic1:table1,topic2:schema.table2" (blanks around items ignored; "" = no entries).
 * *out (caller frees with pgi_entries_free) may be NULL when *n is 0. SL-style: 0, or -1 with
 * a reason in err. */
int pgi_parse_map(const char *spec, pgi_entry **out, size_t *n, char *err, size_t err_size);
void pgi_entries_free(pgi_entry *e, size_t n);

/* Everything needed to name a topic's table. Owns its strings. */
typedef struct pgi_names {
    char *format;   /* table.name.format */
    pgi_entry *map; /* topic2table.map */
    size_t nmap;
    char **known; /* the connector's topics, for collision checks */
    size_t nknown;
    bool complete; /* `known` is every topic (topics, not topics.regex) */
} pgi_names;

/* Build from the config values (all borrowed, copied). `topics` may be NULL with ntopics 0;
 * `complete` false means other topics may appear (topics.regex): then every repaired name
 * gets its hash suffix, since a collision cannot be ruled out. 0 or -1 with err. */
int pgi_names_init(pgi_names *n, const char *format, const char *map_spec,
                   const char *const *topics, size_t ntopics, bool complete, char *err,
                   size_t err_size);
void pgi_names_fini(pgi_names *n);
/* The table for `topic`: its topic2table.map entry; else table.name.format applied, kept as is
 * when valid, else repaired, with "_" and 6 hex digits of the topic's hash appended when the
 * repaired name collides with another known topic's table (or is too long, or the topic set
 * is open). Caller frees; NULL = oom. Deterministic: every task and restart agrees. */
char *pgi_names_resolve(const pgi_names *n, const char *topic);

/* Split "schema.table" at the first '.' (*schema NULL when there is none). Caller frees both.
 * -1 on oom or an empty part. */
int pgi_split(const char *qualified, char **schema, char **table);
/* Append `ident` double-quoted, embedded quotes doubled: always quoted, so case and any
 * character survive (as the JDBC sink's quote.sql.identifiers=always). */
void pgi_quote(pg_sb *sb, const char *ident);
/* Append "schema"."table" (or "table" when schema is NULL). */
void pgi_quote_qualified(pg_sb *sb, const char *schema, const char *table);

#endif
