/* group/assignor_common.c: what both Connect assignors share: input validation, the
 * config-offset / CONFIG_MISMATCH rule (connect-compat.md §3.3) and result setup and teardown. */
#include "group/assignor_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *errstr, size_t errstr_size, const char *fmt, ...)
{
    if (errstr && errstr_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
    }
    return ASSIGNOR_BEGIN_ERROR;
}

int64_t assignor_max_config_offset(const assignor_member *members, size_t n)
{
    int64_t max = INT64_MIN;
    for (size_t i = 0; i < n; i++)
        if (members[i].config_offset > max)
            max = members[i].config_offset;
    return max;
}

static int cmp_member(const void *a, const void *b)
{
    const assignor_member *x = *(const assignor_member *const *)a;
    const assignor_member *y = *(const assignor_member *const *)b;
    return strcmp(x->id, y->id);
}

static int cmp_connector(const void *a, const void *b)
{
    const assignor_connector *x = *(const assignor_connector *const *)a;
    const assignor_connector *y = *(const assignor_connector *const *)b;
    return strcmp(x->name, y->name);
}

const assignor_connector **assignor_sorted_connectors(const assignor_input *in, size_t *n)
{
    *n = in->n_connectors;
    if (in->n_connectors == 0)
        return NULL;
    const assignor_connector **v = malloc(in->n_connectors * sizeof(*v));
    if (!v)
        return NULL;
    for (size_t i = 0; i < in->n_connectors; i++)
        v[i] = &in->connectors[i];
    qsort(v, in->n_connectors, sizeof(*v), cmp_connector);
    return v;
}

/* Hostile or buggy input must not crash the leader: reject it with a reason instead. */
static int validate(const assignor_input *in, const assignor_member **sorted, char *errstr,
                    size_t errstr_size)
{
    if (!in->leader_id)
        return fail(errstr, errstr_size, "assignor: no leader id");
    for (size_t i = 0; i < in->n_members; i++)
        if (!in->members[i].id)
            return fail(errstr, errstr_size, "assignor: member %zu has no id", i);
    for (size_t i = 1; i < in->n_members; i++)
        if (strcmp(sorted[i - 1]->id, sorted[i]->id) == 0)
            return fail(errstr, errstr_size, "assignor: duplicate member id '%s'", sorted[i]->id);
    bool leader_found = false;
    for (size_t i = 0; i < in->n_members; i++)
        if (strcmp(in->members[i].id, in->leader_id) == 0)
            leader_found = true;
    if (!leader_found)
        return fail(errstr, errstr_size, "assignor: leader '%s' is not a member of the group",
                    in->leader_id);
    if (in->n_connectors && !in->connectors)
        return fail(errstr, errstr_size, "assignor: connectors missing");
    for (size_t i = 0; i < in->n_connectors; i++) {
        if (!in->connectors[i].name)
            return fail(errstr, errstr_size, "assignor: connector %zu has no name", i);
        if (in->connectors[i].n_tasks < 0)
            return fail(errstr, errstr_size, "assignor: connector '%s' has a negative task count",
                        in->connectors[i].name);
    }
    size_t n;
    const assignor_connector **c = assignor_sorted_connectors(in, &n);
    if (n && !c)
        return fail(errstr, errstr_size, "assignor: out of memory");
    for (size_t i = 1; i < n; i++) {
        if (strcmp(c[i - 1]->name, c[i]->name) == 0) {
            fail(errstr, errstr_size, "assignor: duplicate connector '%s'", c[i]->name);
            free(c);
            return ASSIGNOR_BEGIN_ERROR;
        }
    }
    free(c);
    if (in->max_delay_ms < 0)
        return fail(errstr, errstr_size, "assignor: negative scheduled.rebalance.max.delay.ms");
    return ASSIGNOR_BEGIN_OK;
}

int assignor_begin(const assignor_input *in, assignor_result *out,
                   const assignor_member ***sorted_out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    *sorted_out = NULL;
    if (!in || in->n_members == 0 || !in->members)
        return fail(errstr, errstr_size, "assignor: no members to assign to");
    for (size_t i = 0; i < in->n_members; i++)
        if (!in->members[i].id)
            return fail(errstr, errstr_size, "assignor: member %zu has no id", i);

    const assignor_member **sorted = malloc(in->n_members * sizeof(*sorted));
    if (!sorted)
        return fail(errstr, errstr_size, "assignor: out of memory");
    for (size_t i = 0; i < in->n_members; i++)
        sorted[i] = &in->members[i];
    qsort(sorted, in->n_members, sizeof(*sorted), cmp_member);
    if (validate(in, sorted, errstr, errstr_size) != ASSIGNOR_BEGIN_OK) {
        free(sorted);
        return ASSIGNOR_BEGIN_ERROR;
    }

    const char *leader_url = "";
    for (size_t i = 0; i < in->n_members; i++)
        if (strcmp(in->members[i].id, in->leader_id) == 0 && in->members[i].url)
            leader_url = in->members[i].url;

    /* Connect's ensureLeaderConfig: the leader may only assign from a snapshot at least as new
     * as every member's; a refreshed snapshot's own (possibly newer) offset is what it used. */
    out->max_offset = assignor_max_config_offset(in->members, in->n_members);
    out->config_mismatch = in->snapshot_offset < out->max_offset;
    int64_t offset = out->max_offset;
    if (!out->config_mismatch && in->snapshot_refreshed)
        offset = in->snapshot_offset;

    out->members = calloc(in->n_members, sizeof(*out->members));
    if (!out->members) {
        free(sorted);
        return fail(errstr, errstr_size, "assignor: out of memory");
    }
    out->n_members = in->n_members;
    for (size_t i = 0; i < in->n_members; i++) {
        assignor_member_result *m = &out->members[i];
        m->member_id = strdup(sorted[i]->id);
        m->leader_id = strdup(in->leader_id);
        m->leader_url = strdup(leader_url);
        if (!m->member_id || !m->leader_id || !m->leader_url) {
            free(sorted);
            return fail(errstr, errstr_size, "assignor: out of memory");
        }
        m->error = out->config_mismatch ? ASSIGNOR_CONFIG_MISMATCH : ASSIGNOR_NO_ERROR;
        m->config_offset = offset;
    }
    if (out->config_mismatch) {
        free(sorted);
        return ASSIGNOR_BEGIN_MISMATCH;
    }
    *sorted_out = sorted;
    return ASSIGNOR_BEGIN_OK;
}

void assignor_result_clear(assignor_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_members; i++) {
        assignor_member_result *m = &r->members[i];
        free(m->member_id);
        free(m->leader_id);
        free(m->leader_url);
        assignment_set_clear(&m->assigned);
        assignment_set_clear(&m->revoked);
        assignment_set_clear(&m->full);
    }
    free(r->members);
    memset(r, 0, sizeof(*r));
}

const assignor_member_result *assignor_result_find(const assignor_result *r, const char *member_id)
{
    if (!r || !member_id)
        return NULL;
    for (size_t i = 0; i < r->n_members; i++)
        if (strcmp(r->members[i].member_id, member_id) == 0)
            return &r->members[i];
    return NULL;
}
