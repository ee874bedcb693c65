/* group/assignor_eager.c: Connect's EagerAssignor (protocol "default", connect-compat.md §3.4):
 * every member stops everything, the leader deals out connectors then tasks round-robin. */
#include "group/assignor_internal.h"

#include <stdio.h>
#include <stdlib.h>

int assignor_eager_assign(const assignor_input *in, assignor_result *out, char *errstr,
                          size_t errstr_size)
{
    const assignor_member **members = NULL;
    int rc = assignor_begin(in, out, &members, errstr, errstr_size);
    if (rc == ASSIGNOR_BEGIN_ERROR)
        return -1;
    if (rc == ASSIGNOR_BEGIN_MISMATCH)
        return 0;

    size_t n_conn = 0;
    const assignor_connector **conns = assignor_sorted_connectors(in, &n_conn);
    if (n_conn && !conns) {
        free(members);
        snprintf(errstr, errstr_size, "assignor: out of memory");
        return -1;
    }

    /* Connectors first, then all tasks continuing the same circular iterator: Connect does this
     * so that one-task connectors do not put every connector on even members and every task on
     * odd ones. Members and connectors are sorted, so the result is deterministic. */
    size_t next = 0, n = out->n_members;
    for (size_t c = 0; c < n_conn; c++) {
        assignor_member_result *m = &out->members[next++ % n];
        if (assignment_set_add_connector(&m->assigned, conns[c]->name) < 0)
            goto oom;
    }
    for (size_t c = 0; c < n_conn; c++) {
        for (int32_t t = 0; t < conns[c]->n_tasks; t++) {
            assignor_member_result *m = &out->members[next++ % n];
            if (assignment_set_add_task(&m->assigned, conns[c]->name, t) < 0)
                goto oom;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (assignment_set_copy(&out->members[i].full, &out->members[i].assigned) < 0)
            goto oom;
    free(conns);
    free(members);
    return 0;

oom:
    free(conns);
    free(members);
    snprintf(errstr, errstr_size, "assignor: out of memory");
    return -1;
}
