/* group/assignor_incremental.c: Connect's IncrementalCooperativeAssignor (KIP-415, protocols
 * "compatible"/"sessioned", connect-compat.md §3.5): sticky assignment with two-phase revocation.
 */
#include "group/assignor_internal.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define LG "assignor"

/* Consecutive load-balancing revocations back off as initial 1 ms x 40^n, capped at the max
 * delay (Connect's ExponentialBackoff(1, 40, max, 0)); a max of 0 disables the backoff. */
#define BACKOFF_MULTIPLIER 40

/* Everything one round works on; freed by round_free. Arrays are indexed like the sorted
 * member list (and out->members). */
typedef struct round {
    size_t n;                    /* members */
    const assignor_member **mem; /* sorted by id, borrowed */
    assignment_set configured, active, deleted, duplicated, lost, created;
    assignment_set to_reassign; /* lost work handed out as new in this round */
    assignment_set *current;    /* member's current allocation minus deleted */
    assignment_set *next;       /* what each member will run after this round */
    assignment_set *revoke;     /* what each member must stop */
    assignment_set *lb;         /* load-balancing revocations computed this round */
} round;

static void round_free(round *r)
{
    assignment_set_clear(&r->configured);
    assignment_set_clear(&r->active);
    assignment_set_clear(&r->deleted);
    assignment_set_clear(&r->duplicated);
    assignment_set_clear(&r->lost);
    assignment_set_clear(&r->created);
    assignment_set_clear(&r->to_reassign);
    for (size_t i = 0; r->current && i < r->n; i++) {
        assignment_set_clear(&r->current[i]);
        assignment_set_clear(&r->next[i]);
        assignment_set_clear(&r->revoke[i]);
        assignment_set_clear(&r->lb[i]);
    }
    free(r->current);
    free(r->next);
    free(r->revoke);
    free(r->lb);
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

void assignor_incremental_init(assignor_incremental_state *st)
{
    memset(st, 0, sizeof(*st));
    st->previous_generation = -1;
}

void assignor_incremental_fini(assignor_incremental_state *st)
{
    if (!st)
        return;
    assignment_set_clear(&st->previous_assignment);
    assignment_set_clear(&st->previous_revocation);
    strv_free(st->previous_members, st->n_previous_members);
    strv_free(st->candidates, st->n_candidates);
    assignor_incremental_init(st);
}

/* `a - b - c` (any of b, c may be NULL) into the empty set `out`, sorted like Connect's diff. */
static int set_diff(assignment_set *out, const assignment_set *a, const assignment_set *b,
                    const assignment_set *c)
{
    if (assignment_set_add_all(out, a) < 0)
        return -1;
    assignment_set_remove_all(out, b);
    assignment_set_remove_all(out, c);
    assignment_set_sort(out);
    return 0;
}

/* Items of `s` that are also in `filter`, appended to `out`. */
static int add_intersection(assignment_set *out, const assignment_set *s,
                            const assignment_set *filter)
{
    for (size_t i = 0; i < s->n_connectors; i++)
        if (assignment_set_has_connector(filter, s->connectors[i]) &&
            assignment_set_add_connector(out, s->connectors[i]) < 0)
            return -1;
    for (size_t i = 0; i < s->n_tasks; i++)
        if (assignment_set_has_task(filter, s->tasks[i].connector, s->tasks[i].task) &&
            assignment_set_add_task(out, s->tasks[i].connector, s->tasks[i].task) < 0)
            return -1;
    return 0;
}

static void reset_delay(assignor_incremental_state *st)
{
    strv_free(st->candidates, st->n_candidates);
    st->candidates = NULL;
    st->n_candidates = 0;
    st->scheduled_rebalance = 0;
    st->delay = 0;
}

/* Configured, active, deleted, duplicated, lost and created sets (§3.5 steps 1-3). */
static int compute_base_sets(assignor_incremental_state *st, const assignor_input *in, round *r)
{
    size_t n_conn = 0;
    const assignor_connector **conns = assignor_sorted_connectors(in, &n_conn);
    if (n_conn && !conns)
        return -1;
    for (size_t c = 0; c < n_conn; c++) {
        if (assignment_set_add_connector(&r->configured, conns[c]->name) < 0)
            goto oom;
        for (int32_t t = 0; t < conns[c]->n_tasks; t++)
            if (assignment_set_add_task(&r->configured, conns[c]->name, t) < 0)
                goto oom;
    }
    free(conns);
    conns = NULL;

    /* active is the union of what members report; an item seen a second time is duplicated. */
    for (size_t i = 0; i < r->n; i++) {
        const assignment_set *cur = r->mem[i]->current;
        if (!cur)
            continue;
        for (size_t k = 0; k < cur->n_connectors; k++) {
            const char *c = cur->connectors[k];
            assignment_set *dst =
                assignment_set_has_connector(&r->active, c) ? &r->duplicated : &r->active;
            if (assignment_set_add_connector(dst, c) < 0)
                return -1;
        }
        for (size_t k = 0; k < cur->n_tasks; k++) {
            const assignment_task *t = &cur->tasks[k];
            assignment_set *dst = assignment_set_has_task(&r->active, t->connector, t->task)
                                      ? &r->duplicated
                                      : &r->active;
            if (assignment_set_add_task(dst, t->connector, t->task) < 0)
                return -1;
        }
    }

    /* A revocation the members did not honour means our view of the previous assignment is
     * wrong: start again from what they actually run, and revoke again below. */
    if (!assignment_set_is_empty(&st->previous_revocation)) {
        if (assignment_set_intersects(&st->previous_revocation, &r->active)) {
            LOG_DEBUG(LG, "previous revocation not honoured; previous assignment := active");
            if (assignment_set_copy(&st->previous_assignment, &r->active) < 0)
                return -1;
        }
        assignment_set_clear(&st->previous_revocation);
    }

    if (set_diff(&r->deleted, &st->previous_assignment, &r->configured, NULL) < 0 ||
        set_diff(&r->lost, &st->previous_assignment, &r->active, &r->deleted) < 0 ||
        set_diff(&r->created, &r->configured, &st->previous_assignment, &r->active) < 0)
        return -1;
    assignment_set_sort(&r->duplicated);
    return 0;

oom:
    free(conns);
    return -1;
}

/* Per-member current/next loads and the deleted + duplicated revocations (step 4). */
static int compute_loads(round *r)
{
    r->current = calloc(r->n, sizeof(*r->current));
    r->next = calloc(r->n, sizeof(*r->next));
    r->revoke = calloc(r->n, sizeof(*r->revoke));
    r->lb = calloc(r->n, sizeof(*r->lb));
    if (!r->current || !r->next || !r->revoke || !r->lb)
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        const assignment_set *cur = r->mem[i]->current;
        if (!cur)
            continue;
        if (assignment_set_add_all(&r->current[i], cur) < 0)
            return -1;
        assignment_set_remove_all(&r->current[i], &r->deleted);
        if (add_intersection(&r->revoke[i], cur, &r->deleted) < 0 ||
            add_intersection(&r->revoke[i], cur, &r->duplicated) < 0)
            return -1;
        if (assignment_set_add_all(&r->next[i], cur) < 0)
            return -1;
        assignment_set_remove_all(&r->next[i], &r->revoke[i]);
    }
    return 0;
}

static ssize_t member_index(const round *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->mem[i]->id, id) == 0)
            return (ssize_t)i;
    return -1;
}

/* Step 5: lost work is held for the scheduled delay, then handed to the workers that were
 * empty while waiting (most likely the returning worker), or spread as new work. */
static int handle_lost(assignor_incremental_state *st, const assignor_input *in, round *r)
{
    if (assignment_set_is_empty(&r->lost) && !st->revoked_in_previous) {
        reset_delay(st);
        return 0;
    }
    bool all_previous_present = true;
    for (size_t i = 0; i < st->n_previous_members; i++)
        if (member_index(r, st->previous_members[i]) < 0)
            all_previous_present = false;

    /* Nobody left: the work was lost because some member missed the last assignment. */
    if (st->scheduled_rebalance <= 0 && all_previous_present)
        return assignment_set_add_all(&r->to_reassign, &r->lost);
    if (in->max_delay_ms == 0)
        return assignment_set_add_all(&r->to_reassign, &r->lost);

    int64_t now = in->now_ms;
    if (st->scheduled_rebalance > 0 && now >= st->scheduled_rebalance) {
        size_t *cand = malloc((st->n_candidates ? st->n_candidates : 1) * sizeof(*cand));
        size_t n_cand = 0;
        if (!cand)
            return -1;
        for (size_t i = 0; i < st->n_candidates; i++) {
            ssize_t idx = member_index(r, st->candidates[i]);
            if (idx >= 0)
                cand[n_cand++] = (size_t)idx;
        }
        LOG_DEBUG(LG, "delayed rebalance expired; lost work to %zu candidate worker(s)", n_cand);
        int rc = 0;
        if (n_cand) {
            for (size_t k = 0; rc == 0 && k < r->lost.n_connectors; k++)
                rc =
                    assignment_set_add_connector(&r->next[cand[k % n_cand]], r->lost.connectors[k]);
            for (size_t k = 0; rc == 0 && k < r->lost.n_tasks; k++)
                rc = assignment_set_add_task(&r->next[cand[k % n_cand]], r->lost.tasks[k].connector,
                                             r->lost.tasks[k].task);
        } else {
            rc = assignment_set_add_all(&r->to_reassign, &r->lost);
        }
        free(cand);
        reset_delay(st);
        /* The full delay has passed, so a new revoking round is allowed at once. */
        st->revoked_in_previous = false;
        return rc;
    }

    /* Keep waiting: remember who is empty now, as the departed worker's likely replacement. */
    for (size_t i = 0; i < r->n; i++) {
        const char *id = r->mem[i]->id;
        if (!assignment_set_is_empty(&r->next[i]) || strv_has(st->candidates, st->n_candidates, id))
            continue;
        char **v = realloc(st->candidates, (st->n_candidates + 1) * sizeof(*v));
        if (!v)
            return -1;
        st->candidates = v;
        if (!(v[st->n_candidates] = strdup(id)))
            return -1;
        st->n_candidates++;
    }
    if (now < st->scheduled_rebalance) {
        int64_t left = st->scheduled_rebalance - now;
        st->delay = (int32_t)(left < in->max_delay_ms ? left : in->max_delay_ms);
    } else {
        st->delay = in->max_delay_ms;
    }
    st->scheduled_rebalance = now + st->delay;
    LOG_DEBUG(LG, "lost work held back; rebalance delay %d ms", (int)st->delay);
    return 0;
}

/* Revocations for one kind of item (connectors or tasks): with `total` items over the workers,
 * each keeps floor(total/W), and total % W workers (first come, in member order) may keep one
 * more. Returns whether anything was revoked; -1 on allocation failure. */
static int balance_kind(round *r, size_t total, bool tasks)
{
    size_t w = r->n, min = total / w, extra = total % w;
    size_t at_min = 0, at_extra = 0;
    for (size_t i = 0; i < w; i++) {
        size_t sz = tasks ? r->next[i].n_tasks : r->next[i].n_connectors;
        at_min += sz == min;
        at_extra += sz == min + 1;
    }
    if (at_extra == extra && at_min + at_extra == w)
        return 0;
    int revoked = 0;
    size_t extras_given = 0;
    for (size_t i = 0; i < w; i++) {
        const assignment_set *s = &r->next[i];
        size_t sz = tasks ? s->n_tasks : s->n_connectors, allowed = min;
        if (sz <= min)
            continue;
        if (extras_given < extra) {
            extras_given++;
            if (sz == min + 1)
                continue;
            allowed = min + 1;
        }
        /* Taken from the front of the worker's list, as Connect's iterator does. */
        for (size_t k = 0; k < sz - allowed; k++) {
            int rc =
                tasks ? assignment_set_add_task(&r->lb[i], s->tasks[k].connector, s->tasks[k].task)
                      : assignment_set_add_connector(&r->lb[i], s->connectors[k]);
            if (rc < 0)
                return -1;
            revoked = 1;
        }
    }
    return revoked;
}

static int compute_lb_revocations(round *r)
{
    bool all_empty = true;
    for (size_t i = 0; i < r->n; i++)
        if (!assignment_set_is_empty(&r->next[i]))
            all_empty = false;
    if (all_empty || assignment_set_is_empty(&r->configured))
        return 0;
    int c = balance_kind(r, r->configured.n_connectors, false);
    if (c < 0)
        return -1;
    int t = balance_kind(r, r->configured.n_tasks, true);
    if (t < 0)
        return -1;
    return c || t;
}

static int32_t revocation_backoff(int32_t max_delay, int32_t attempts)
{
    if (max_delay <= 0)
        return 0;
    int64_t v = 1;
    for (int32_t i = 0; i < attempts; i++) {
        v *= BACKOFF_MULTIPLIER;
        if (v >= max_delay)
            return max_delay;
    }
    return (int32_t)v;
}

static int apply_lb(round *r)
{
    for (size_t i = 0; i < r->n; i++) {
        if (assignment_set_add_all(&r->revoke[i], &r->lb[i]) < 0)
            return -1;
        assignment_set_remove_all(&r->next[i], &r->lb[i]);
    }
    return 0;
}

/* Step 6: load-balancing revocations, only while no delay runs, postponed with backoff when the
 * previous round revoked too (so a flapping group does not stop tasks on every join). */
static int handle_revocations(assignor_incremental_state *st, const assignor_input *in, round *r)
{
    if (st->delay != 0) {
        st->revoked_in_previous = false;
        return 0;
    }
    int lb = compute_lb_revocations(r);
    if (lb < 0)
        return -1;
    if (st->revoked_in_previous && lb) {
        st->successive_revoking++;
        st->delay = revocation_backoff(in->max_delay_ms, st->successive_revoking);
        if (st->delay != 0) {
            st->scheduled_rebalance = in->now_ms + st->delay;
            LOG_DEBUG(LG, "consecutive revoking rebalance; revocation postponed %d ms",
                      (int)st->delay);
            return 0;
        }
        return apply_lb(r);
    }
    if (lb) {
        st->revoked_in_previous = true;
        return apply_lb(r);
    }
    if (st->revoked_in_previous) {
        /* The group converged: restart the backoff sequence. */
        st->revoked_in_previous = false;
        st->successive_revoking = 0;
    }
    return 0;
}

/* Step 7: hand out connectors (tasks) to the least-loaded workers round-robin, widening the
 * group of recipients as the loads even out. */
static size_t load_of(const round *r, size_t i, bool tasks)
{
    return tasks ? r->next[i].n_tasks : r->next[i].n_connectors;
}

static int assign_round_robin(round *r, const assignment_set *items, bool tasks)
{
    size_t n_items = tasks ? items->n_tasks : items->n_connectors;
    if (n_items == 0)
        return 0;
    size_t *order = malloc(r->n * sizeof(*order));
    if (!order)
        return -1;
    /* Insertion sort by (load, member id); members are already in id order, so a stable sort
     * by load alone gives the tie-break. */
    for (size_t i = 0; i < r->n; i++) {
        size_t j = i;
        while (j > 0 && load_of(r, order[j - 1], tasks) > load_of(r, i, tasks)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    size_t k = 0, first = order[0];
    int rc = 0;
    while (rc == 0 && k < n_items) {
        size_t first_load = load_of(r, first, tasks), up_to = r->n;
        for (size_t j = 0; j < r->n; j++) {
            if (load_of(r, order[j], tasks) > first_load) {
                up_to = j;
                break;
            }
        }
        for (size_t j = 0; rc == 0 && j < up_to && k < n_items; j++, k++) {
            assignment_set *dst = &r->next[order[j]];
            rc = tasks
                     ? assignment_set_add_task(dst, items->tasks[k].connector, items->tasks[k].task)
                     : assignment_set_add_connector(dst, items->connectors[k]);
        }
    }
    free(order);
    return rc;
}

/* Step 8 and the state carried to the next round. */
static int fill_results(assignor_incremental_state *st, const assignor_input *in, round *r,
                        assignor_result *out)
{
    assignment_set prev;
    assignment_set_init(&prev);
    for (size_t i = 0; i < r->n; i++) {
        assignor_member_result *m = &out->members[i];
        if (set_diff(&m->revoked, &r->revoke[i], NULL, NULL) < 0)
            goto oom;
        if (assignment_set_add_all(&m->assigned, &r->next[i]) < 0)
            goto oom;
        assignment_set_remove_all(&m->assigned, &r->current[i]);
        if (assignment_set_add_all(&m->full, &r->next[i]) < 0)
            goto oom;
        assignment_set_remove_all(&m->full, &r->revoke[i]);
        m->delay_ms = st->delay;
        if (assignment_set_add_all(&prev, &r->next[i]) < 0)
            goto oom;
    }
    /* previous = everything handed out - everything revoked + lost work still held back. */
    for (size_t i = 0; i < r->n; i++) {
        assignment_set_remove_all(&prev, &r->revoke[i]);
        if (assignment_set_add_all(&st->previous_revocation, &r->revoke[i]) < 0)
            goto oom;
    }
    if (assignment_set_add_all(&prev, &r->lost) < 0)
        goto oom;
    assignment_set_clear(&st->previous_assignment);
    st->previous_assignment = prev;
    st->previous_generation = in->generation;

    char **members = calloc(r->n, sizeof(*members));
    if (!members)
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        if (!(members[i] = strdup(r->mem[i]->id))) {
            strv_free(members, r->n);
            return -1;
        }
    }
    strv_free(st->previous_members, st->n_previous_members);
    st->previous_members = members;
    st->n_previous_members = r->n;
    return 0;

oom:
    assignment_set_clear(&prev);
    return -1;
}

int assignor_incremental_assign(assignor_incremental_state *st, const assignor_input *in,
                                assignor_result *out, char *errstr, size_t errstr_size)
{
    const assignor_member **members = NULL;
    int rc = assignor_begin(in, out, &members, errstr, errstr_size);
    if (rc == ASSIGNOR_BEGIN_ERROR)
        return -1;
    if (rc == ASSIGNOR_BEGIN_MISMATCH)
        return 0;

    round r;
    memset(&r, 0, sizeof(r));
    r.n = in->n_members;
    r.mem = members;

    /* A leader that failed to sync (or a new leader) cannot trust its previous view. */
    if (st->previous_generation != in->last_completed_generation) {
        LOG_DEBUG(LG, "generation %d != last completed %d: previous assignment cleared",
                  (int)st->previous_generation, (int)in->last_completed_generation);
        assignment_set_clear(&st->previous_assignment);
    }

    int ok = compute_base_sets(st, in, &r) == 0 && compute_loads(&r) == 0 &&
             handle_lost(st, in, &r) == 0 && handle_revocations(st, in, &r) == 0;
    if (ok) {
        assignment_set to_assign;
        assignment_set_init(&to_assign);
        ok = set_diff(&to_assign, &r.created, NULL, NULL) == 0 &&
             assignment_set_add_all(&to_assign, &r.to_reassign) == 0;
        if (ok) {
            assignment_set_sort(&to_assign);
            ok = assign_round_robin(&r, &to_assign, false) == 0 &&
                 assign_round_robin(&r, &to_assign, true) == 0;
        }
        assignment_set_clear(&to_assign);
    }
    ok = ok && fill_results(st, in, &r, out) == 0;
    round_free(&r);
    free(members);
    if (!ok) {
        assignor_incremental_fini(st);
        snprintf(errstr, errstr_size, "assignor: out of memory");
        return -1;
    }
    return 0;
}
