/* plugins/postgres/ident.c: topic-to-table naming (topic2table.map, table.name.format,
 * Snowflake's repair rule with collision suffixes) and identifier quoting. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident.h"

static bool ident_start(unsigned char c)
{
    return isalpha(c) || c == '_';
}
static bool ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$';
}

bool pgi_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PGI_MAXLEN || !ident_start((unsigned char)s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!ident_char((unsigned char)s[i]))
            return false;
    return true;
}

char *pgi_sanitize(const char *s)
{
    size_t n = strlen(s);
    /* Any other invalid first byte becomes '_', a valid start; a digit or '$' is valid later
     * in a name but not first, so Snowflake prefixes it. */
    bool prefix = n == 0 || isdigit((unsigned char)s[0]) || s[0] == '$';
    char *out = malloc(n + 2);
    if (out == NULL)
        return NULL;
    size_t w = 0;
    if (prefix)
        out[w++] = '_';
    for (size_t i = 0; i < n; i++)
        out[w++] = ident_char((unsigned char)s[i]) ? s[i] : '_';
    out[w] = '\0';
    return out;
}

uint32_t pgi_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

char *pgi_format(const char *fmt, const char *topic)
{
    static const char var[] = "${topic}";
    pg_sb sb = PG_SB_INIT;
    const char *p = fmt;
    for (const char *hit; (hit = strstr(p, var)) != NULL; p = hit + sizeof(var) - 1) {
        pg_sb_putn(&sb, p, (size_t)(hit - p));
        pg_sb_puts(&sb, topic);
    }
    pg_sb_puts(&sb, p);
    return pg_sb_steal(&sb);
}

static char *trim_dup(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *out = malloc(n + 1);
    if (out != NULL) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

void pgi_entries_free(pgi_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].topic);
        free(e[i].table);
    }
    free(e);
}

/* A table part of a map entry: non-empty, at most PGI_MAXLEN bytes, no NUL tricks. */
static int check_table(const char *table, char *err, size_t err_size)
{
    const char *dot = strchr(table, '.');
    size_t first = dot ? (size_t)(dot - table) : strlen(table);
    size_t second = dot ? strlen(dot + 1) : 1;
    if (first == 0 || second == 0) {
        snprintf(err, err_size, "table name '%s' has an empty part", table);
        return -1;
    }
    if (first > PGI_MAXLEN || (dot && second > PGI_MAXLEN)) {
        snprintf(err, err_size, "table name '%s' is longer than %d bytes", table, PGI_MAXLEN);
        return -1;
    }
    if (dot && strchr(dot + 1, '.') != NULL) {
        snprintf(err, err_size, "table name '%s' has more than one '.' (schema.table)", table);
        return -1;
    }
    return 0;
}

int pgi_parse_map(const char *spec, pgi_entry **out, size_t *n, char *err, size_t err_size)
{
    *out = NULL;
    *n = 0;
    if (spec == NULL)
        return 0;
    pgi_entry *v = NULL;
    size_t cnt = 0, cap = 0;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *item = trim_dup(p, len);
        if (item == NULL)
            goto oom;
        if (item[0] == '\0') {
            free(item);
            if (end == NULL)
                break;
            p = end + 1;
            continue;
        }
        char *colon = strchr(item, ':');
        if (colon == NULL) {
            snprintf(err, err_size, "entry '%s' is not of the form topic:table", item);
            free(item);
            goto fail;
        }
        char *topic = trim_dup(item, (size_t)(colon - item));
        char *table = trim_dup(colon + 1, strlen(colon + 1));
        free(item);
        if (topic == NULL || table == NULL) {
            free(topic);
            free(table);
            goto oom;
        }
        int bad = 0;
        if (topic[0] == '\0' || table[0] == '\0') {
            snprintf(err, err_size, "entry '%s:%s' has an empty topic or table", topic, table);
            bad = 1;
        } else if (check_table(table, err, err_size) != 0) {
            bad = 1;
        }
        for (size_t i = 0; !bad && i < cnt; i++)
            if (strcmp(v[i].topic, topic) == 0) {
                snprintf(err, err_size, "topic '%s' is mapped more than once", topic);
                bad = 1;
            }
        if (!bad && cnt == cap) {
            size_t nc = cap ? cap * 2 : 4;
            pgi_entry *nv = realloc(v, nc * sizeof(*nv));
            if (nv == NULL) {
                free(topic);
                free(table);
                goto oom;
            }
            v = nv;
            cap = nc;
        }
        if (bad) {
            free(topic);
            free(table);
            goto fail;
        }
        v[cnt++] = (pgi_entry){topic, table};
        if (end == NULL)
            break;
        p = end + 1;
    }
    *out = v;
    *n = cnt;
    return 0;
oom:
    snprintf(err, err_size, "out of memory");
fail:
    pgi_entries_free(v, cnt);
    return -1;
}

int pgi_names_init(pgi_names *n, const char *format, const char *map_spec,
                   const char *const *topics, size_t ntopics, bool complete, char *err,
                   size_t err_size)
{
    memset(n, 0, sizeof(*n));
    n->complete = complete;
    n->format = strdup(format && format[0] ? format : "${topic}");
    if (n->format == NULL)
        goto oom;
    if (pgi_parse_map(map_spec, &n->map, &n->nmap, err, err_size) != 0) {
        pgi_names_fini(n);
        return -1;
    }
    if (ntopics > 0) {
        n->known = calloc(ntopics, sizeof(*n->known));
        if (n->known == NULL)
            goto oom;
        for (size_t i = 0; i < ntopics; i++) {
            n->known[i] = strdup(topics[i]);
            if (n->known[i] == NULL)
                goto oom;
            n->nknown++;
        }
    }
    return 0;
oom:
    snprintf(err, err_size, "out of memory");
    pgi_names_fini(n);
    return -1;
}

void pgi_names_fini(pgi_names *n)
{
    free(n->format);
    pgi_entries_free(n->map, n->nmap);
    for (size_t i = 0; i < n->nknown; i++)
        free(n->known[i]);
    free(n->known);
    memset(n, 0, sizeof(*n));
}

static const pgi_entry *mapped(const pgi_names *n, const char *topic)
{
    for (size_t i = 0; i < n->nmap; i++)
        if (strcmp(n->map[i].topic, topic) == 0)
            return &n->map[i];
    return NULL;
}

/* The name a topic gets before any suffix: formatted, repaired when invalid. */
static char *base_name(const pgi_names *n, const char *topic, bool *repaired)
{
    char *name = pgi_format(n->format, topic);
    if (name == NULL || pgi_valid(name)) {
        *repaired = false;
        return name;
    }
    char *fixed = pgi_sanitize(name);
    free(name);
    *repaired = true;
    return fixed;
}

/* Another known topic (or a map target) ends up with the same unsuffixed name. */
static bool collides(const pgi_names *n, const char *topic, const char *cand)
{
    for (size_t i = 0; i < n->nmap; i++)
        if (strcmp(n->map[i].table, cand) == 0)
            return true;
    for (size_t i = 0; i < n->nknown; i++) {
        const char *other = n->known[i];
        if (strcmp(other, topic) == 0 || mapped(n, other) != NULL)
            continue;
        bool rep;
        char *b = base_name(n, other, &rep);
        bool same = b != NULL && strcmp(b, cand) == 0;
        free(b);
        if (same)
            return true;
    }
    return false;
}

char *pgi_names_resolve(const pgi_names *n, const char *topic)
{
    const pgi_entry *e = mapped(n, topic);
    if (e != NULL)
        return strdup(e->table);
    bool repaired;
    char *cand = base_name(n, topic, &repaired);
    if (cand == NULL || !repaired)
        return cand;
    size_t len = strlen(cand);
    if (len <= PGI_MAXLEN && n->complete && !collides(n, topic, cand))
        return cand;
    /* "_" + 6 hex digits; the base is cut so that the whole fits PostgreSQL's limit. */
    size_t keep = len > PGI_MAXLEN - 7 ? PGI_MAXLEN - 7 : len;
    char *out = malloc(keep + 8);
    if (out != NULL)
        snprintf(out, keep + 8, "%.*s_%06x", (int)keep, cand, pgi_hash(topic) & 0xffffffu);
    free(cand);
    return out;
}

int pgi_split(const char *qualified, char **schema, char **table)
{
    *schema = NULL;
    *table = NULL;
    const char *dot = strchr(qualified, '.');
    if (dot == NULL) {
        if (qualified[0] == '\0')
            return -1;
        *table = strdup(qualified);
        return *table ? 0 : -1;
    }
    if (dot == qualified || dot[1] == '\0')
        return -1;
    *schema = strndup(qualified, (size_t)(dot - qualified));
    *table = strdup(dot + 1);
    if (*schema == NULL || *table == NULL) {
        free(*schema);
        free(*table);
        *schema = *table = NULL;
        return -1;
    }
    return 0;
}

void pgi_quote(pg_sb *sb, const char *ident)
{
    pg_sb_putc(sb, '"');
    for (const char *p = ident; *p; p++) {
        if (*p == '"')
            pg_sb_putc(sb, '"');
        pg_sb_putc(sb, *p);
    }
    pg_sb_putc(sb, '"');
}

void pgi_quote_qualified(pg_sb *sb, const char *schema, const char *table)
{
    if (schema != NULL) {
        pgi_quote(sb, schema);
        pg_sb_putc(sb, '.');
    }
    pgi_quote(sb, table);
}
