/* group/connect_protocol.c: encode/decode of Connect's member metadata and assignments, byte
 * compatible with ConnectProtocol (v0) and IncrementalCooperativeConnectProtocol (v1/v2). */
#include "group/connect_protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group/wire.h"

int group_connect_list_add(group_connect_list *list, const char *connector, int32_t task)
{
    group_connector_tasks *e = NULL;
    for (size_t i = list->n; i-- > 0;) {
        if (strcmp(list->items[i].connector, connector) == 0) {
            e = &list->items[i];
            break;
        }
    }
    if (!e) {
        group_connector_tasks *items = realloc(list->items, (list->n + 1) * sizeof(*items));
        if (!items)
            return -1;
        list->items = items;
        char *name = strdup(connector);
        if (!name)
            return -1;
        e = &items[list->n++];
        memset(e, 0, sizeof(*e));
        e->connector = name;
    }
    int32_t *t = realloc(e->tasks, (e->n_tasks + 1) * sizeof(*t));
    if (!t)
        return -1;
    e->tasks = t;
    t[e->n_tasks++] = task;
    list->is_null = false;
    return 0;
}

void group_connect_list_clear(group_connect_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].connector);
        free(list->items[i].tasks);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

size_t group_connect_list_count(const group_connect_list *list)
{
    size_t c = 0;
    for (size_t i = 0; i < list->n; i++)
        c += list->items[i].n_tasks;
    return c;
}

void group_connect_assignment_clear(group_connect_assignment *a)
{
    if (!a)
        return;
    free(a->leader);
    free(a->leader_url);
    group_connect_list_clear(&a->assignment);
    group_connect_list_clear(&a->revoked);
    memset(a, 0, sizeof(*a));
}

void group_connect_metadata_clear(group_connect_metadata *m)
{
    if (!m)
        return;
    free(m->url);
    if (m->allocation) {
        group_connect_assignment_clear(m->allocation);
        free(m->allocation);
    }
    memset(m, 0, sizeof(*m));
}

/* ---- writers ---- */

static void put_list(wire_buf *b, const group_connect_list *l, bool nullable)
{
    if (l->is_null && nullable && l->n == 0) {
        wire_put_array_len(b, -1);
        return;
    }
    if (l->n > INT32_MAX) {
        b->err = -1;
        return;
    }
    wire_put_array_len(b, (int32_t)l->n);
    for (size_t i = 0; i < l->n; i++) {
        const group_connector_tasks *e = &l->items[i];
        wire_put_string(b, e->connector);
        if (e->n_tasks > INT32_MAX) {
            b->err = -1;
            return;
        }
        wire_put_array_len(b, (int32_t)e->n_tasks);
        for (size_t j = 0; j < e->n_tasks; j++)
            wire_put_int32(b, e->tasks[j]);
    }
}

static void put_assignment(wire_buf *b, const group_connect_assignment *a)
{
    if (a->version < 0 || a->version > 2) {
        b->err = -1;
        return;
    }
    wire_put_int16(b, a->version);
    wire_put_int16(b, a->error);
    wire_put_string(b, a->leader ? a->leader : "");
    wire_put_string(b, a->leader_url ? a->leader_url : "");
    wire_put_int64(b, a->config_offset);
    put_list(b, &a->assignment, a->version >= 1);
    if (a->version >= 1) {
        put_list(b, &a->revoked, true);
        wire_put_int32(b, a->delay);
    }
}

static int finish(wire_buf *b, uint8_t **out, size_t *out_len)
{
    *out = wire_buf_steal(b, out_len);
    return *out ? 0 : -1;
}

int group_connect_assignment_encode(const group_connect_assignment *a, uint8_t **out,
                                    size_t *out_len)
{
    wire_buf b;
    wire_buf_init(&b);
    put_assignment(&b, a);
    return finish(&b, out, out_len);
}

int group_connect_metadata_encode(const group_connect_metadata *m, uint8_t **out,
                                  size_t *out_len)
{
    wire_buf b;
    wire_buf_init(&b);
    if (m->version < 0 || m->version > 2)
        b.err = -1;
    wire_put_int16(&b, m->version);
    wire_put_string(&b, m->url ? m->url : "");
    wire_put_int64(&b, m->config_offset);
    if (m->version >= 1) {
        if (!m->allocation) {
            wire_put_nbytes(&b, NULL, 0);
        } else {
            /* The allocation is itself a serialized assignment, nested as NULLABLE_BYTES. */
            wire_buf inner;
            wire_buf_init(&inner);
            put_assignment(&inner, m->allocation);
            if (inner.err)
                b.err = -1;
            else
                wire_put_bytes(&b, inner.data ? inner.data : (const uint8_t *)"", inner.len);
            wire_buf_free(&inner);
        }
    }
    return finish(&b, out, out_len);
}

/* ---- readers ---- */

static int fail(char *errstr, size_t errstr_size, const char *what)
{
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "malformed Connect %s", what);
    return -1;
}

static int get_str(wire_rd *r, char **out)
{
    const char *s;
    size_t n;
    if (wire_get_string(r, &s, &n))
        return -1;
    return wire_strdup(s, n, out);
}

static int get_list(wire_rd *r, group_connect_list *l)
{
    int32_t n;
    /* An entry is at least a 2-byte string length and a 4-byte array count. */
    if (wire_get_array_len(r, 6, &n))
        return -1;
    if (n < 0) {
        l->is_null = true;
        return 0;
    }
    if (n > 0) {
        l->items = calloc((size_t)n, sizeof(*l->items));
        if (!l->items)
            return -1;
    }
    for (int32_t i = 0; i < n; i++) {
        group_connector_tasks *e = &l->items[i];
        int32_t nt;
        if (get_str(r, &e->connector)) {
            l->n = (size_t)i;
            return -1;
        }
        l->n = (size_t)i + 1;
        if (wire_get_array_len(r, 4, &nt))
            return -1;
        if (nt > 0) {
            e->tasks = malloc((size_t)nt * sizeof(int32_t));
            if (!e->tasks)
                return -1;
            for (int32_t j = 0; j < nt; j++)
                if (wire_get_int32(r, &e->tasks[j]))
                    return -1;
            e->n_tasks = (size_t)nt;
        }
    }
    return 0;
}

static int get_assignment(wire_rd *r, group_connect_assignment *a)
{
    if (wire_get_int16(r, &a->version) || a->version < 0)
        return -1;
    if (wire_get_int16(r, &a->error) || get_str(r, &a->leader) || get_str(r, &a->leader_url) ||
        wire_get_int64(r, &a->config_offset))
        return -1;
    /* Tolerant v1 reader: each trailing field may be absent (a v0 assignment has no revoked
     * or delay), but a field that starts must be complete. */
    if (a->version >= 1 && wire_rd_left(r) == 0) {
        a->assignment.is_null = true;
        a->revoked.is_null = true;
        return 0;
    }
    if (get_list(r, &a->assignment))
        return -1;
    if (wire_rd_left(r) == 0) {
        a->revoked.is_null = true;
        return 0;
    }
    if (get_list(r, &a->revoked))
        return -1;
    if (wire_rd_left(r) == 0)
        return 0;
    return wire_get_int32(r, &a->delay);
}

int group_connect_assignment_decode(const uint8_t *p, size_t len, group_connect_assignment *a,
                                    char *errstr, size_t errstr_size)
{
    memset(a, 0, sizeof(*a));
    wire_rd r;
    wire_rd_init(&r, p, len);
    if (get_assignment(&r, a))
        return fail(errstr, errstr_size, "assignment");
    return 0;
}

int group_connect_metadata_decode(const uint8_t *p, size_t len, group_connect_metadata *m,
                                  char *errstr, size_t errstr_size)
{
    memset(m, 0, sizeof(*m));
    wire_rd r;
    wire_rd_init(&r, p, len);
    if (wire_get_int16(&r, &m->version) || m->version < 0 || get_str(&r, &m->url) ||
        wire_get_int64(&r, &m->config_offset))
        return fail(errstr, errstr_size, "member metadata");
    if (m->version < 1 || wire_rd_left(&r) == 0)
        return 0;
    const uint8_t *alloc;
    size_t alloc_len;
    if (wire_get_nbytes(&r, &alloc, &alloc_len))
        return fail(errstr, errstr_size, "member metadata");
    if (!alloc)
        return 0;
    m->allocation = calloc(1, sizeof(*m->allocation));
    if (!m->allocation)
        return fail(errstr, errstr_size, "member metadata (out of memory)");
    wire_rd ar;
    wire_rd_init(&ar, alloc, alloc_len);
    if (get_assignment(&ar, m->allocation))
        return fail(errstr, errstr_size, "member metadata allocation");
    return 0;
}
