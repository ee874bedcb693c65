/* transforms/field_path.c: parsing and resolving Connect's single field paths (V1 top-level
 * names, V2 dotted paths with backtick quoting) over structs and schemaless maps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field_path.h"
#include "smt.h"

static int add_step(smt_field_path *p, size_t *cap, const char *s, size_t len)
{
    if (p->n + 1 >= *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        char **ns = realloc(p->steps, nc * sizeof(*ns));
        if (ns == NULL)
            return SL_ERR;
        p->steps = ns;
        *cap = nc;
    }
    char *step = malloc(len + 1);
    if (step == NULL)
        return SL_ERR;
    memcpy(step, s, len);
    step[len] = '\0';
    p->steps[p->n++] = step;
    return SL_OK;
}

/* A growing string for one quoted step. */
typedef struct sbuf {
    char *s;
    size_t len;
} sbuf;

static int sbuf_add(sbuf *b, const char *s, size_t len)
{
    char *ns = realloc(b->s, b->len + len + 1);
    if (ns == NULL)
        return SL_ERR;
    memcpy(ns + b->len, s, len);
    b->len += len;
    ns[b->len] = '\0';
    b->s = ns;
    return SL_OK;
}

static int parse_v2(const char *path, smt_field_path *p, size_t *cap, char *errstr,
                    size_t errstr_size)
{
    size_t len = strlen(path), idx = 0;
    while (idx < len) {
        if (path[idx] != '`') {
            const char *dot = strchr(path + idx, '.');
            size_t end = dot ? (size_t)(dot - path) : len;
            if (add_step(p, cap, path + idx, end - idx) != SL_OK)
                return SL_ERR;
            idx = dot ? end + 1 : len;
            continue;
        }
        /* a backtick-quoted step: it ends at a backtick followed by a dot or the end; "\`."
         * keeps a literal backtick before a dot; other backticks are literal */
        size_t opened = idx++;
        size_t start = idx;
        sbuf field = {NULL, 0};
        for (;;) {
            const char *bt = strchr(path + idx, '`');
            bool escaped = bt != NULL && bt > path && bt[-1] == '\\';
            if (bt == NULL || ((size_t)(bt - path) >= len - 1 && escaped)) {
                free(field.s);
                snprintf(errstr, errstr_size,
                         "Incomplete backtick pair in path: [%s], consider adding a backslash "
                         "before backtick at position %zu to escape it",
                         path, opened);
                return SL_ERR;
            }
            idx = (size_t)(bt - path);
            if (idx >= len - 1) { /* closing backtick at the end of the path */
                int rc = sbuf_add(&field, path + start, idx - start);
                rc = rc == SL_OK ? add_step(p, cap, field.s ? field.s : "", field.len) : rc;
                free(field.s);
                if (rc != SL_OK)
                    return SL_ERR;
                idx++;
                break;
            }
            if (path[idx + 1] != '.') { /* a literal backtick inside the step */
                idx++;
                continue;
            }
            if (escaped) {
                if (sbuf_add(&field, path + start, idx - 1 - start) != SL_OK ||
                    sbuf_add(&field, "`", 1) != SL_OK) {
                    free(field.s);
                    return SL_ERR;
                }
                idx++;
                start = idx;
                continue;
            }
            int rc = sbuf_add(&field, path + start, idx - start);
            rc = rc == SL_OK ? add_step(p, cap, field.s ? field.s : "", field.len) : rc;
            free(field.s);
            if (rc != SL_OK)
                return SL_ERR;
            idx += 2; /* the backtick and the dot after it */
            break;
        }
    }
    if (len > 0 && path[len - 1] == '.')
        return add_step(p, cap, "", 0);
    return SL_OK;
}

int smt_field_path_parse(const char *path, bool v2, smt_field_path *p, char *errstr,
                         size_t errstr_size)
{
    memset(p, 0, sizeof(*p));
    if (errstr_size > 0)
        errstr[0] = '\0';
    size_t cap = 0;
    int rc = v2 ? parse_v2(path ? path : "", p, &cap, errstr, errstr_size)
                : add_step(p, &cap, path ? path : "", path ? strlen(path) : 0);
    if (rc == SL_OK && p->n == 0) /* an empty V2 path names the empty field */
        rc = add_step(p, &cap, "", 0);
    if (rc != SL_OK) {
        if (errstr[0] == '\0')
            snprintf(errstr, errstr_size, "out of memory");
        smt_field_path_free(p);
        return SL_ERR;
    }
    return SL_OK;
}

void smt_field_path_free(smt_field_path *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->steps[i]);
    free(p->steps);
    p->steps = NULL;
    p->n = 0;
}

int smt_field_path_field(const smt_field_path *p, const sl_schema *schema, const sl_schema **parent)
{
    const sl_schema *cur = schema;
    for (size_t i = 0; i + 1 < p->n; i++) {
        if (sl_schema_type(cur) != SL_TYPE_STRUCT)
            return -1;
        int idx = sl_schema_field_index(cur, p->steps[i]);
        if (idx < 0)
            return -1;
        cur = sl_schema_field_schema(cur, (size_t)idx);
    }
    if (sl_schema_type(cur) != SL_TYPE_STRUCT)
        return -1;
    *parent = cur;
    return sl_schema_field_index(cur, p->steps[p->n - 1]);
}

int smt_field_path_struct_value(const smt_field_path *p, const sl_value *st, bool with_default,
                                const sl_value **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    const sl_value *cur = st;
    for (size_t i = 0; cur != NULL && i + 1 < p->n; i++) {
        int idx = sl_schema_field_index(sl_value_struct_schema(cur), p->steps[i]);
        if (idx < 0)
            return SL_OK;
        cur = smt_struct_peek_field(cur, (size_t)idx, true);
        if (cur != NULL &&
            smt_require_struct(cur, "nested field access", errstr, errstr_size) != SL_OK)
            return SL_ERR;
    }
    if (cur == NULL)
        return SL_OK;
    int idx = sl_schema_field_index(sl_value_struct_schema(cur), p->steps[p->n - 1]);
    if (idx >= 0)
        *out = smt_struct_peek_field(cur, (size_t)idx, with_default);
    return SL_OK;
}

int smt_field_path_map_value(const smt_field_path *p, const sl_value *map, const sl_value **out,
                             char *errstr, size_t errstr_size)
{
    *out = NULL;
    const sl_value *cur = map;
    for (size_t i = 0; cur != NULL && i + 1 < p->n; i++) {
        cur = sl_value_map_get_str(cur, p->steps[i]);
        if (cur != NULL &&
            smt_require_map(cur, "nested field access", errstr, errstr_size) != SL_OK)
            return SL_ERR;
    }
    if (cur != NULL)
        *out = sl_value_map_get_str(cur, p->steps[p->n - 1]);
    return SL_OK;
}
