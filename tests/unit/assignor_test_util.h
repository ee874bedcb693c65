/* tests/unit/assignor_test_util.h: helpers for the assignor tests: sets written as short specs
 * ("a b | a:0 a:1"), and a simulated group whose workers apply each round's assignment. */
#ifndef SLUICE_TESTS_ASSIGNOR_TEST_UTIL_H
#define SLUICE_TESTS_ASSIGNOR_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group/assignor.h"

/* Parse "a b a:0 b:3" (connector names, and connector:task for tasks) into *s. */
static inline void spec_set(assignment_set *s, const char *spec)
{
    assignment_set_init(s);
    char *copy = strdup(spec), *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *colon = strrchr(tok, ':');
        if (colon) {
            *colon = '\0';
            assignment_set_add_task(s, tok, (int32_t)atoi(colon + 1));
        } else if (strcmp(tok, "|") != 0) {
            assignment_set_add_connector(s, tok);
        }
    }
    free(copy);
}

/* Render `s` in its own order as "a b | a:0 a:1" (or sorted when `sorted`). Static buffer
 * rotation so a test may hold a few at once. */
static inline const char *set_str(const assignment_set *in, int sorted)
{
    static char bufs[4][4096];
    static int which;
    char *buf = bufs[which++ % 4];
    assignment_set s;
    assignment_set_init(&s);
    assignment_set_copy(&s, in);
    if (sorted)
        assignment_set_sort(&s);
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s.n_connectors; i++)
        off += (size_t)snprintf(buf + off, 4096 - off, "%s%s", off ? " " : "", s.connectors[i]);
    off += (size_t)snprintf(buf + off, 4096 - off, "%s|", off ? " " : "");
    for (size_t i = 0; i < s.n_tasks; i++)
        off += (size_t)snprintf(buf + off, 4096 - off, " %s:%d", s.tasks[i].connector,
                                (int)s.tasks[i].task);
    assignment_set_clear(&s);
    return buf;
}

/* A simulated worker: what it runs now, and whether it is in the group. */
typedef struct sim_worker {
    char id[32];
    char url[64];
    int64_t offset;
    int present;
    int null_allocation; /* reports no allocation (a v0-style member) */
    assignment_set running;
} sim_worker;

#define SIM_MAX_WORKERS 16
#define SIM_MAX_CONNECTORS 16

typedef struct sim {
    sim_worker w[SIM_MAX_WORKERS];
    size_t n_workers;
    assignor_connector conns[SIM_MAX_CONNECTORS];
    char conn_names[SIM_MAX_CONNECTORS][32];
    size_t n_conns;
    int64_t snapshot_offset;
    int32_t max_delay;
    int64_t now;
    int32_t generation;
    int32_t last_completed;
    assignor_incremental_state st;
    assignor_result res; /* last round's result */
    char leader[32];
} sim;

static inline void sim_init(sim *s, int32_t max_delay)
{
    memset(s, 0, sizeof(*s));
    s->max_delay = max_delay;
    s->now = 1000;
    s->last_completed = -1;
    assignor_incremental_init(&s->st);
}

static inline void sim_fini(sim *s)
{
    for (size_t i = 0; i < s->n_workers; i++)
        assignment_set_clear(&s->w[i].running);
    assignor_result_clear(&s->res);
    assignor_incremental_fini(&s->st);
}

static inline sim_worker *sim_add_worker(sim *s, const char *id)
{
    sim_worker *w = &s->w[s->n_workers++];
    snprintf(w->id, sizeof(w->id), "%s", id);
    snprintf(w->url, sizeof(w->url), "http://%s:8083", id);
    w->present = 1;
    assignment_set_init(&w->running);
    return w;
}

static inline sim_worker *sim_worker_by_id(sim *s, const char *id)
{
    for (size_t i = 0; i < s->n_workers; i++)
        if (strcmp(s->w[i].id, id) == 0)
            return &s->w[i];
    return NULL;
}

/* Set connector `name`'s task count, adding it if new; a negative count deletes it. */
static inline void sim_set_connector(sim *s, const char *name, int32_t n_tasks)
{
    for (size_t i = 0; i < s->n_conns; i++) {
        if (strcmp(s->conn_names[i], name) == 0) {
            if (n_tasks < 0) {
                for (size_t j = i + 1; j < s->n_conns; j++) {
                    memcpy(s->conn_names[j - 1], s->conn_names[j], sizeof(s->conn_names[j]));
                    s->conns[j - 1].n_tasks = s->conns[j].n_tasks;
                }
                s->n_conns--;
            } else {
                s->conns[i].n_tasks = n_tasks;
            }
            goto fix;
        }
    }
    if (n_tasks >= 0) {
        snprintf(s->conn_names[s->n_conns], sizeof(s->conn_names[0]), "%s", name);
        s->conns[s->n_conns++].n_tasks = n_tasks;
    }
fix:
    for (size_t i = 0; i < s->n_conns; i++)
        s->conns[i].name = s->conn_names[i];
    s->snapshot_offset++;
    for (size_t i = 0; i < s->n_workers; i++)
        s->w[i].offset = s->snapshot_offset;
}

/* Run one incremental round with the present workers (leader: s->leader, or the first present
 * worker), then let every worker apply its assignment: stop revoked, start assigned. Returns
 * the assignor's return code. The group's generation advances and completes. */
static inline int sim_round(sim *s)
{
    assignor_member members[SIM_MAX_WORKERS];
    size_t n = 0;
    for (size_t i = 0; i < s->n_workers; i++) {
        sim_worker *w = &s->w[i];
        if (!w->present)
            continue;
        members[n].id = w->id;
        members[n].url = w->url;
        members[n].config_offset = w->offset;
        members[n].current = w->null_allocation ? NULL : &w->running;
        n++;
    }
    const char *leader = s->leader[0] ? s->leader : members[0].id;
    s->generation++;
    assignor_input in = {
        .leader_id = leader,
        .members = members,
        .n_members = n,
        .snapshot_offset = s->snapshot_offset,
        .connectors = s->conns,
        .n_connectors = s->n_conns,
        .generation = s->generation,
        .last_completed_generation = s->last_completed,
        .max_delay_ms = s->max_delay,
        .now_ms = s->now,
    };
    assignor_result_clear(&s->res);
    char err[256] = "";
    int rc = assignor_incremental_assign(&s->st, &in, &s->res, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "assign failed: %s\n", err);
        return rc;
    }
    for (size_t i = 0; i < s->res.n_members; i++) {
        const assignor_member_result *m = &s->res.members[i];
        sim_worker *w = sim_worker_by_id(s, m->member_id);
        if (m->error)
            continue;
        assignment_set_remove_all(&w->running, &m->revoked);
        assignment_set_add_all(&w->running, &m->assigned);
        w->null_allocation = 0;
    }
    s->last_completed = s->generation;
    return 0;
}

/* Total items assigned plus revoked in the last round (0 = the group is stable). */
static inline size_t sim_changes(const sim *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->res.n_members; i++)
        n += assignment_set_size(&s->res.members[i].assigned) +
             assignment_set_size(&s->res.members[i].revoked);
    return n;
}

static inline int32_t sim_delay(const sim *s)
{
    return s->res.n_members ? s->res.members[0].delay_ms : 0;
}

/* Every configured item runs on exactly one present worker, and nothing else runs. */
static inline int sim_exactly_once(sim *s)
{
    size_t total = 0, expect = 0;
    for (size_t c = 0; c < s->n_conns; c++) {
        expect += 1 + (size_t)s->conns[c].n_tasks;
        int holders = 0;
        for (size_t i = 0; i < s->n_workers; i++)
            holders +=
                s->w[i].present && assignment_set_has_connector(&s->w[i].running, s->conns[c].name);
        if (holders != 1)
            return 0;
        for (int32_t t = 0; t < s->conns[c].n_tasks; t++) {
            holders = 0;
            for (size_t i = 0; i < s->n_workers; i++)
                holders += s->w[i].present &&
                           assignment_set_has_task(&s->w[i].running, s->conns[c].name, t);
            if (holders != 1)
                return 0;
        }
    }
    for (size_t i = 0; i < s->n_workers; i++)
        if (s->w[i].present)
            total += assignment_set_size(&s->w[i].running);
    return total == expect;
}

/* Connector counts and task counts across present workers each differ by at most one. */
static inline int sim_balanced(sim *s)
{
    size_t cmin = (size_t)-1, cmax = 0, tmin = (size_t)-1, tmax = 0;
    for (size_t i = 0; i < s->n_workers; i++) {
        if (!s->w[i].present)
            continue;
        size_t c = s->w[i].running.n_connectors, t = s->w[i].running.n_tasks;
        cmin = c < cmin ? c : cmin;
        cmax = c > cmax ? c : cmax;
        tmin = t < tmin ? t : tmin;
        tmax = t > tmax ? t : tmax;
    }
    return cmax - cmin <= 1 && tmax - tmin <= 1;
}

/* Run rounds as members would (rejoin at once after revocations, after `delay` otherwise)
 * until a round changes nothing and sets no delay; returns the number of rounds, or -1. */
static inline int sim_converge(sim *s, int max_rounds)
{
    for (int r = 1; r <= max_rounds; r++) {
        if (sim_round(s) != 0)
            return -1;
        if (sim_changes(s) == 0 && sim_delay(s) == 0)
            return r;
        s->now += sim_delay(s);
    }
    return -1;
}

#endif
