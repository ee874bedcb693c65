/* tests/unit/test_assignor_incremental.c: Connect's incremental cooperative assignor on a
 * simulated group: balance, stickiness, lost work and its delay, revocations, leader changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assignor_test_util.h"

static const assignor_member_result *res(sim *s, const char *id)
{
    const assignor_member_result *m = assignor_result_find(&s->res, id);
    assert_non_null(m);
    return m;
}

#define ASSIGNED(s, id) set_str(&res(s, id)->assigned, 1)
#define REVOKED(s, id) set_str(&res(s, id)->revoked, 1)
#define RUNNING(s, id) set_str(&sim_worker_by_id(s, id)->running, 1)

static void test_balance_one_connector_six_tasks(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300000);
    sim_add_worker(&s, "w1");
    sim_add_worker(&s, "w2");
    sim_add_worker(&s, "w3");
    sim_set_connector(&s, "src", 6);
    assert_int_equal(sim_round(&s), 0);
    /* Least-loaded round robin, ties by worker id: connector to w1, tasks 2/2/2. */
    assert_string_equal(ASSIGNED(&s, "w1"), "src | src:0 src:3");
    assert_string_equal(ASSIGNED(&s, "w2"), "| src:1 src:4");
    assert_string_equal(ASSIGNED(&s, "w3"), "| src:2 src:5");
    assert_int_equal(sim_delay(&s), 0);
    assert_true(sim_exactly_once(&s));
    assert_int_equal(res(&s, "w2")->config_offset, 1);
    assert_string_equal(res(&s, "w3")->leader_url, "http://w1:8083");
    /* A second round with nothing changed moves nothing. */
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_changes(&s), 0);
    sim_fini(&s);
}

static void test_balance_connectors_spread(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300000);
    sim_add_worker(&s, "w1");
    sim_add_worker(&s, "w2");
    sim_add_worker(&s, "w3");
    sim_set_connector(&s, "sink", 6);
    sim_set_connector(&s, "source", 6);
    assert_int_equal(sim_round(&s), 0);
    assert_true(sim_exactly_once(&s));
    assert_true(sim_balanced(&s));
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(s.w[i].running.n_tasks, 4);
    assert_string_equal(RUNNING(&s, "w1"), "sink | sink:0 sink:3 source:0 source:3");
    assert_string_equal(RUNNING(&s, "w2"), "source | sink:1 sink:4 source:1 source:4");
    sim_fini(&s);
}

/* A worker joining a stable group takes work in two phases: the others stop only their excess
 * (revocation), rejoin, and the freed work goes to the newcomer. Nothing else moves. */
static void test_stickiness_join(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300000);
    sim_add_worker(&s, "w1");
    sim_add_worker(&s, "w2");
    sim_set_connector(&s, "src", 6);
    assert_true(sim_converge(&s, 5) > 0);
    assert_string_equal(RUNNING(&s, "w1"), "src | src:0 src:2 src:4");
    assert_string_equal(RUNNING(&s, "w2"), "| src:1 src:3 src:5");

    sim_add_worker(&s, "w3");
    assert_int_equal(sim_round(&s), 0);
    /* Phase 1: each old worker gives up the first task above the floor of 6/3; w3 gets none. */
    assert_string_equal(REVOKED(&s, "w1"), "| src:0");
    assert_string_equal(REVOKED(&s, "w2"), "| src:1");
    assert_string_equal(REVOKED(&s, "w3"), "|");
    assert_string_equal(ASSIGNED(&s, "w1"), "|");
    assert_string_equal(ASSIGNED(&s, "w2"), "|");
    assert_string_equal(ASSIGNED(&s, "w3"), "|");
    assert_int_equal(sim_delay(&s), 0);

    /* Phase 2: the revoked tasks are new work, given to the least-loaded worker. */
    assert_int_equal(sim_round(&s), 0);
    assert_string_equal(ASSIGNED(&s, "w3"), "| src:0 src:1");
    assert_string_equal(ASSIGNED(&s, "w1"), "|");
    assert_string_equal(ASSIGNED(&s, "w2"), "|");
    assert_string_equal(REVOKED(&s, "w1"), "|");
    assert_string_equal(RUNNING(&s, "w1"), "src | src:2 src:4");
    assert_string_equal(RUNNING(&s, "w2"), "| src:3 src:5");
    assert_true(sim_exactly_once(&s));
    assert_true(sim_balanced(&s));
    assert_false(s.st.revoked_in_previous);

    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_changes(&s), 0);
    sim_fini(&s);
}

static void converge_three(sim *s, int32_t max_delay)
{
    sim_init(s, max_delay);
    sim_add_worker(s, "w1");
    sim_add_worker(s, "w2");
    sim_add_worker(s, "w3");
    sim_set_connector(s, "src", 6);
    sim_set_connector(s, "snk", 3);
    assert_true(sim_converge(s, 5) > 0);
    assert_true(sim_exactly_once(s));
}

/* A worker vanishes; its work is held back for the delay and handed back to it when it
 * returns (as a new member id) before the deadline. Nothing else moves. */
static void test_lost_work_returns_to_rejoining_worker(void **state)
{
    (void)state;
    sim s;
    converge_three(&s, 10000);
    assignment_set had;
    spec_set(&had, "");
    assignment_set_copy(&had, &sim_worker_by_id(&s, "w3")->running);
    assert_false(assignment_set_is_empty(&had));
    char w1_before[4096];
    snprintf(w1_before, sizeof(w1_before), "%s", RUNNING(&s, "w1"));

    sim_worker_by_id(&s, "w3")->present = 0;
    s.now = 50000;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 10000);
    assert_int_equal(sim_changes(&s), 0);
    assert_int_equal(s.st.scheduled_rebalance, 60000);

    /* It comes back with a new member id and nothing running, 4 s later. */
    sim_add_worker(&s, "w3-new");
    s.now = 54000;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 6000); /* the rest of the original delay */
    assert_int_equal(sim_changes(&s), 0);
    assert_int_equal(s.st.n_candidates, 1);
    assert_string_equal(s.st.candidates[0], "w3-new");

    /* At the deadline the lost work goes to the candidate. */
    s.now = 60000;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 0);
    assert_string_equal(ASSIGNED(&s, "w3-new"), set_str(&had, 1));
    assert_string_equal(ASSIGNED(&s, "w1"), "|");
    assert_string_equal(ASSIGNED(&s, "w2"), "|");
    assert_string_equal(REVOKED(&s, "w1"), "|");
    assert_string_equal(RUNNING(&s, "w1"), w1_before);
    assert_true(sim_exactly_once(&s));
    assert_int_equal(s.st.n_candidates, 0);
    assert_int_equal(s.st.scheduled_rebalance, 0);
    assignment_set_clear(&had);
    sim_fini(&s);
}

/* The worker never returns: after the delay its work is spread over the survivors. */
static void test_lost_work_spread_after_delay(void **state)
{
    (void)state;
    sim s;
    converge_three(&s, 10000);
    sim_worker_by_id(&s, "w2")->present = 0;
    s.now = 20000;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 10000);
    assert_false(sim_exactly_once(&s)); /* w2's work is unassigned meanwhile */

    /* A rebalance before the deadline (e.g. a config change) still holds the work back. */
    s.now = 25000;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 5000);
    assert_int_equal(sim_changes(&s), 0);

    s.now = 30000;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 0);
    assert_true(sim_exactly_once(&s));
    assert_true(sim_balanced(&s));
    assert_string_equal(REVOKED(&s, "w1"), "|");
    assert_string_equal(REVOKED(&s, "w3"), "|");
    assert_true(sim_converge(&s, 5) > 0);
    sim_fini(&s);
}

/* scheduled.rebalance.max.delay.ms = 0: the first rebalance after the loss reassigns it. */
static void test_delay_zero_reassigns_immediately(void **state)
{
    (void)state;
    sim s;
    converge_three(&s, 0);
    sim_worker_by_id(&s, "w1")->present = 0;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 0);
    assert_true(sim_exactly_once(&s));
    assert_true(sim_balanced(&s));
    assert_string_equal(REVOKED(&s, "w2"), "|");
    assert_string_equal(REVOKED(&s, "w3"), "|");
    sim_fini(&s);
}

static void test_deleted_connector_revoked(void **state)
{
    (void)state;
    sim s;
    converge_three(&s, 300000);
    sim_set_connector(&s, "snk", -1);
    assert_int_equal(sim_round(&s), 0);
    /* Every holder of snk or its tasks is told to stop them; nothing else changes. */
    size_t revoked = 0;
    for (size_t i = 0; i < s.res.n_members; i++) {
        const assignor_member_result *m = &s.res.members[i];
        assert_true(assignment_set_is_empty(&m->assigned));
        for (size_t k = 0; k < m->revoked.n_connectors; k++)
            assert_string_equal(m->revoked.connectors[k], "snk");
        for (size_t k = 0; k < m->revoked.n_tasks; k++)
            assert_string_equal(m->revoked.tasks[k].connector, "snk");
        revoked += assignment_set_size(&m->revoked);
    }
    assert_int_equal(revoked, 4);
    assert_true(sim_exactly_once(&s));
    assert_int_equal(sim_delay(&s), 0);

    /* Shrinking tasks.max deletes the highest task ids the same way. */
    sim_set_connector(&s, "src", 4);
    assert_int_equal(sim_round(&s), 0);
    revoked = 0;
    for (size_t i = 0; i < s.res.n_members; i++)
        revoked += s.res.members[i].revoked.n_tasks;
    assert_int_equal(revoked, 2);
    assert_true(sim_exactly_once(&s));
    sim_fini(&s);
}

static void test_duplicated_revoked_then_reassigned(void **state)
{
    (void)state;
    sim s;
    converge_three(&s, 300000);
    /* Two workers report the same task (e.g. a stale worker kept running it). */
    sim_worker *holder = NULL, *other = NULL;
    for (size_t i = 0; i < s.n_workers; i++) {
        if (assignment_set_has_task(&s.w[i].running, "src", 0))
            holder = &s.w[i];
        else if (!other)
            other = &s.w[i];
    }
    assert_non_null(holder);
    assignment_set_add_task(&other->running, "src", 0);
    assert_int_equal(sim_round(&s), 0);
    assert_string_equal(REVOKED(&s, holder->id), "| src:0");
    assert_string_equal(REVOKED(&s, other->id), "| src:0");
    assert_false(assignment_set_has_task(&holder->running, "src", 0));
    /* Next round it is unowned and configured: assigned once again. */
    assert_int_equal(sim_round(&s), 0);
    assert_true(sim_exactly_once(&s));
    sim_fini(&s);
}

/* A leader that failed to sync (or a new leader) must not trust its previous assignment:
 * work missing from the members' reports is then new work, not lost work held back. */
static void test_generation_mismatch_clears_previous(void **state)
{
    (void)state;
    sim s;
    converge_three(&s, 300000);
    sim_worker_by_id(&s, "w3")->present = 0;
    s.last_completed = s.generation + 5; /* the last sync did not complete under us */
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 0);
    assert_true(sim_exactly_once(&s));
    sim_fini(&s);

    /* Same with a fresh leader state after a leader change. */
    converge_three(&s, 300000);
    sim_worker_by_id(&s, "w1")->present = 0;
    assignor_incremental_fini(&s.st);
    snprintf(s.leader, sizeof(s.leader), "w2");
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 0);
    assert_true(sim_exactly_once(&s));
    assert_string_equal(res(&s, "w3")->leader_id, "w2");

    /* Whereas the same leader keeping its state waits for the lost worker. */
    sim_worker_by_id(&s, "w3")->present = 0;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 300000);
    sim_fini(&s);
}

static void test_config_mismatch_leaves_state(void **state)
{
    (void)state;
    sim s;
    converge_three(&s, 300000);
    int32_t prev_gen = s.st.previous_generation;
    size_t prev_size = assignment_set_size(&s.st.previous_assignment);
    sim_worker_by_id(&s, "w2")->offset = s.snapshot_offset + 3;
    assert_int_equal(sim_round(&s), 0);
    assert_true(s.res.config_mismatch);
    for (size_t i = 0; i < s.res.n_members; i++) {
        assert_int_equal(s.res.members[i].error, ASSIGNOR_CONFIG_MISMATCH);
        assert_int_equal(s.res.members[i].config_offset, s.snapshot_offset + 3);
        assert_true(assignment_set_is_empty(&s.res.members[i].assigned));
        assert_true(assignment_set_is_empty(&s.res.members[i].revoked));
    }
    assert_int_equal(s.st.previous_generation, prev_gen);
    assert_int_equal(assignment_set_size(&s.st.previous_assignment), prev_size);
    sim_fini(&s);
}

/* Back-to-back load-balancing revocations are postponed with exponential backoff. */
static void test_postponed_revocation_backoff(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300000);
    sim_add_worker(&s, "w1");
    sim_add_worker(&s, "w2");
    sim_set_connector(&s, "src", 12);
    assert_true(sim_converge(&s, 5) > 0);

    sim_add_worker(&s, "w3");
    assert_int_equal(sim_round(&s), 0); /* revokes 2 from each of w1, w2 (floor 12/3 = 4) */
    assert_int_equal(res(&s, "w1")->revoked.n_tasks, 2);
    assert_true(s.st.revoked_in_previous);

    sim_add_worker(&s, "w4"); /* joins before the group settles */
    s.now += 5;
    assert_int_equal(sim_round(&s), 0);
    /* Revoking again (floor 12/4 = 3) is postponed 40 ms; freed work still goes out. */
    assert_int_equal(sim_delay(&s), 40);
    assert_int_equal(s.st.successive_revoking, 1);
    assert_string_equal(REVOKED(&s, "w1"), "|");
    assert_string_equal(REVOKED(&s, "w2"), "|");
    assert_int_equal(res(&s, "w3")->assigned.n_tasks, 2);
    assert_int_equal(res(&s, "w4")->assigned.n_tasks, 2);

    /* An early rejoin still waits for the rest of the delay. */
    s.now += 10;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 30);
    assert_int_equal(sim_changes(&s), 0);

    s.now += 30;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 0);
    assert_int_equal(res(&s, "w1")->revoked.n_tasks, 1);
    assert_int_equal(res(&s, "w2")->revoked.n_tasks, 1);
    assert_true(sim_converge(&s, 5) > 0);
    assert_true(sim_exactly_once(&s));
    assert_true(sim_balanced(&s));
    assert_int_equal(s.st.successive_revoking, 0);
    sim_fini(&s);
}

static void test_backoff_sequence(void **state)
{
    (void)state;
    const int32_t expect[] = {40, 1600, 64000, 300000, 300000};
    for (int n = 0; n < 5; n++) {
        sim s;
        sim_init(&s, 300000);
        sim_add_worker(&s, "w1");
        sim_set_connector(&s, "src", 8);
        assert_true(sim_converge(&s, 3) > 0);
        sim_add_worker(&s, "w2");
        s.st.revoked_in_previous = true;
        s.st.successive_revoking = n;
        assert_int_equal(sim_round(&s), 0);
        assert_int_equal(sim_delay(&s), expect[n]);
        assert_int_equal(s.st.scheduled_rebalance, s.now + expect[n]);
        sim_fini(&s);
    }
    /* With a max delay of 0 the revocation is never postponed. */
    sim s;
    sim_init(&s, 0);
    sim_add_worker(&s, "w1");
    sim_set_connector(&s, "src", 8);
    assert_true(sim_converge(&s, 3) > 0);
    sim_add_worker(&s, "w2");
    s.st.revoked_in_previous = true;
    assert_int_equal(sim_round(&s), 0);
    assert_int_equal(sim_delay(&s), 0);
    assert_int_equal(res(&s, "w1")->revoked.n_tasks, 4);
    sim_fini(&s);
}

/* Members with no reported allocation (v0 metadata) count as running nothing. */
static void test_null_allocation_members(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300000);
    sim_add_worker(&s, "a")->null_allocation = 1;
    sim_add_worker(&s, "b")->null_allocation = 1;
    sim_set_connector(&s, "x", 3);
    assert_int_equal(sim_round(&s), 0);
    assert_true(sim_exactly_once(&s));
    assert_true(sim_balanced(&s));
    sim_fini(&s);
}

/* Random joins, departures and config changes with delay 0: the group always converges to
 * every item running exactly once with balanced loads. */
static void test_random_churn_converges(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int iter = 0; iter < 40; iter++) {
        sim s;
        sim_init(&s, iter % 2 ? 0 : 5000);
        char id[32];
        for (int i = 0; i < 3; i++) {
            snprintf(id, sizeof(id), "w%d", i);
            sim_add_worker(&s, id);
        }
        sim_set_connector(&s, "a", 5);
        sim_set_connector(&s, "b", 2);
        for (int step = 0; step < 8; step++) {
            seed = seed * 1103515245u + 12345u;
            unsigned op = (seed >> 16) % 4;
            if (op == 0 && s.n_workers < SIM_MAX_WORKERS) {
                snprintf(id, sizeof(id), "n%d-%d", iter, step);
                sim_add_worker(&s, id);
            } else if (op == 1) {
                size_t present = 0;
                for (size_t i = 0; i < s.n_workers; i++)
                    present += s.w[i].present;
                size_t victim = (seed >> 8) % s.n_workers;
                if (present > 1 && s.w[victim].present) {
                    s.w[victim].present = 0;
                    if (strcmp(s.w[victim].id, s.leader) == 0)
                        s.leader[0] = '\0';
                }
            } else if (op == 2) {
                sim_set_connector(&s, (seed >> 10) % 2 ? "a" : "c", (int32_t)((seed >> 12) % 7));
            }
            assert_true(sim_converge(&s, 12) > 0);
            assert_true(sim_exactly_once(&s));
            assert_true(sim_balanced(&s));
            s.now += 100000;
        }
        sim_fini(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balance_one_connector_six_tasks),
        cmocka_unit_test(test_balance_connectors_spread),
        cmocka_unit_test(test_stickiness_join),
        cmocka_unit_test(test_lost_work_returns_to_rejoining_worker),
        cmocka_unit_test(test_lost_work_spread_after_delay),
        cmocka_unit_test(test_delay_zero_reassigns_immediately),
        cmocka_unit_test(test_deleted_connector_revoked),
        cmocka_unit_test(test_duplicated_revoked_then_reassigned),
        cmocka_unit_test(test_generation_mismatch_clears_previous),
        cmocka_unit_test(test_config_mismatch_leaves_state),
        cmocka_unit_test(test_postponed_revocation_backoff),
        cmocka_unit_test(test_backoff_sequence),
        cmocka_unit_test(test_null_allocation_members),
        cmocka_unit_test(test_random_churn_converges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
