/* tests/unit/test_assignor_eager.c: Connect's eager round-robin assignor (exact output on fixed
 * examples), config-offset mismatch handling, and rejection of hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assignor_test_util.h"

static const assignor_connector CONNS[] = {{"b", 2}, {"a", 3}, {"c", 0}};

static assignor_input base_input(const assignor_member *m, size_t n)
{
    assignor_input in = {
        .leader_id = "w2",
        .members = m,
        .n_members = n,
        .snapshot_offset = 7,
        .connectors = CONNS,
        .n_connectors = 3,
        .max_delay_ms = 300000,
    };
    return in;
}

static void test_eager_exact_round_robin(void **state)
{
    (void)state;
    /* Unsorted on purpose: the assignor sorts members and connectors itself. Current
     * allocations are ignored by the eager protocol. */
    assignment_set cur;
    spec_set(&cur, "c | c:0");
    assignor_member m[] = {
        {"w2", "http://w2:8083", 7, &cur},
        {"w3", "http://w3:8083", 7, NULL},
        {"w1", "http://w1:8083", 5, NULL},
    };
    assignor_input in = base_input(m, 3);
    assignor_result r;
    char err[128];
    assert_int_equal(assignor_eager_assign(&in, &r, err, sizeof(err)), 0);
    assert_false(r.config_mismatch);
    assert_int_equal(r.n_members, 3);
    /* connectors a b c -> w1 w2 w3; tasks a:0 a:1 a:2 b:0 b:1 continue at w1. */
    assert_string_equal(r.members[0].member_id, "w1");
    assert_string_equal(set_str(&r.members[0].assigned, 0), "a | a:0 b:0");
    assert_string_equal(r.members[1].member_id, "w2");
    assert_string_equal(set_str(&r.members[1].assigned, 0), "b | a:1 b:1");
    assert_string_equal(r.members[2].member_id, "w3");
    assert_string_equal(set_str(&r.members[2].assigned, 0), "c | a:2");
    for (size_t i = 0; i < 3; i++) {
        const assignor_member_result *x = &r.members[i];
        assert_int_equal(x->error, ASSIGNOR_NO_ERROR);
        assert_string_equal(x->leader_id, "w2");
        assert_string_equal(x->leader_url, "http://w2:8083");
        assert_int_equal(x->config_offset, 7);
        assert_true(assignment_set_is_empty(&x->revoked));
        assert_int_equal(x->delay_ms, 0);
        assert_string_equal(set_str(&x->full, 0), set_str(&x->assigned, 0));
    }
    assert_non_null(assignor_result_find(&r, "w3"));
    assert_null(assignor_result_find(&r, "w9"));
    assignor_result_clear(&r);
    assignor_result_clear(&r); /* idempotent */
    assignment_set_clear(&cur);
}

static void test_eager_more_members_than_work(void **state)
{
    (void)state;
    const assignor_connector one[] = {{"only", 1}};
    assignor_member m[] = {
        {"d", "u", 1, NULL}, {"c", "u", 1, NULL}, {"b", "u", 1, NULL}, {"a", "u", 1, NULL}};
    assignor_input in = base_input(m, 4);
    in.leader_id = "a";
    in.connectors = one;
    in.n_connectors = 1;
    in.snapshot_offset = 1;
    assignor_result r;
    char err[128];
    assert_int_equal(assignor_eager_assign(&in, &r, err, sizeof(err)), 0);
    assert_string_equal(set_str(&r.members[0].assigned, 0), "only |");
    assert_string_equal(set_str(&r.members[1].assigned, 0), "| only:0");
    assert_string_equal(set_str(&r.members[2].assigned, 0), "|");
    assert_string_equal(set_str(&r.members[3].assigned, 0), "|");
    assignor_result_clear(&r);

    /* No connectors at all: everyone gets an empty, error-free assignment. */
    in.n_connectors = 0;
    in.connectors = NULL;
    assert_int_equal(assignor_eager_assign(&in, &r, err, sizeof(err)), 0);
    for (size_t i = 0; i < r.n_members; i++)
        assert_true(assignment_set_is_empty(&r.members[i].assigned));
    assignor_result_clear(&r);
}

static void test_eager_balance_single_connector(void **state)
{
    (void)state;
    const assignor_connector one[] = {{"src", 6}};
    assignor_member m[] = {{"w1", "u1", 0, NULL}, {"w2", "u2", 0, NULL}, {"w3", "u3", 0, NULL}};
    assignor_input in = base_input(m, 3);
    in.connectors = one;
    in.n_connectors = 1;
    in.snapshot_offset = 0;
    assignor_result r;
    char err[128];
    assert_int_equal(assignor_eager_assign(&in, &r, err, sizeof(err)), 0);
    assert_string_equal(set_str(&r.members[0].assigned, 0), "src | src:2 src:5");
    assert_string_equal(set_str(&r.members[1].assigned, 0), "| src:0 src:3");
    assert_string_equal(set_str(&r.members[2].assigned, 0), "| src:1 src:4");
    assignor_result_clear(&r);
}

static void test_eager_config_mismatch(void **state)
{
    (void)state;
    assignor_member m[] = {{"w1", "u1", 9, NULL}, {"w2", "u2", 7, NULL}};
    assignor_input in = base_input(m, 2);
    assignor_result r;
    char err[128];
    /* The leader (snapshot 7) is behind w1 (9): everyone gets CONFIG_MISMATCH at offset 9. */
    assert_int_equal(assignor_eager_assign(&in, &r, err, sizeof(err)), 0);
    assert_true(r.config_mismatch);
    assert_int_equal(r.max_offset, 9);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(r.members[i].error, ASSIGNOR_CONFIG_MISMATCH);
        assert_int_equal(r.members[i].config_offset, 9);
        assert_string_equal(r.members[i].leader_url, "u2");
        assert_true(assignment_set_is_empty(&r.members[i].assigned));
    }
    assignor_result_clear(&r);

    /* After a re-read the snapshot may be past every member: its own offset is sent. */
    in.snapshot_offset = 11;
    in.snapshot_refreshed = true;
    assert_int_equal(assignor_eager_assign(&in, &r, err, sizeof(err)), 0);
    assert_false(r.config_mismatch);
    assert_int_equal(r.members[0].config_offset, 11);
    assert_int_equal(r.members[0].error, ASSIGNOR_NO_ERROR);
    assignor_result_clear(&r);

    /* Without a re-read the members' max is sent even if the snapshot moved on. */
    in.snapshot_refreshed = false;
    assert_int_equal(assignor_eager_assign(&in, &r, err, sizeof(err)), 0);
    assert_int_equal(r.members[1].config_offset, 9);
    assignor_result_clear(&r);
    assert_int_equal(assignor_max_config_offset(m, 2), 9);
    assert_int_equal(assignor_max_config_offset(m, 0), INT64_MIN);
}

static void expect_reject(assignor_input *in, const char *needle)
{
    assignor_result r;
    char err[256] = "";
    assert_int_equal(assignor_eager_assign(in, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, needle));
    assignor_result_clear(&r);
    assignor_incremental_state st;
    assignor_incremental_init(&st);
    err[0] = '\0';
    assert_int_equal(assignor_incremental_assign(&st, in, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, needle));
    assert_int_equal(st.previous_generation, -1);
    assignor_result_clear(&r);
    assignor_incremental_fini(&st);
}

static void test_hostile_input(void **state)
{
    (void)state;
    assignor_member m[] = {{"w1", "u1", 0, NULL}, {"w2", NULL, 0, NULL}};
    assignor_input in = base_input(m, 2);
    in.snapshot_offset = 0;

    assignor_input bad = in;
    bad.n_members = 0;
    expect_reject(&bad, "no members");

    assignor_member dup[] = {{"w1", "u1", 0, NULL}, {"w1", "u1", 0, NULL}};
    bad = in;
    bad.members = dup;
    bad.leader_id = "w1";
    expect_reject(&bad, "duplicate member id 'w1'");

    assignor_member noid[] = {{"w1", "u1", 0, NULL}, {NULL, "u1", 0, NULL}};
    bad = in;
    bad.members = noid;
    expect_reject(&bad, "has no id");

    bad = in;
    bad.leader_id = "w9";
    expect_reject(&bad, "leader 'w9' is not a member");
    bad.leader_id = NULL;
    expect_reject(&bad, "no leader id");

    const assignor_connector dupc[] = {{"a", 1}, {"b", 1}, {"a", 2}};
    bad = in;
    bad.connectors = dupc;
    bad.n_connectors = 3;
    expect_reject(&bad, "duplicate connector 'a'");

    const assignor_connector negt[] = {{"a", -4}};
    bad.connectors = negt;
    bad.n_connectors = 1;
    expect_reject(&bad, "negative task count");

    const assignor_connector noname[] = {{NULL, 1}};
    bad.connectors = noname;
    expect_reject(&bad, "has no name");

    bad = in;
    bad.max_delay_ms = -1;
    expect_reject(&bad, "negative");

    /* A NULL url is read as "" rather than crashing. */
    in.leader_id = "w2";
    assignor_result r;
    char err[128];
    assert_int_equal(assignor_eager_assign(&in, &r, err, sizeof(err)), 0);
    assert_string_equal(r.members[0].leader_url, "");
    assignor_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eager_exact_round_robin),
        cmocka_unit_test(test_eager_more_members_than_work),
        cmocka_unit_test(test_eager_balance_single_connector),
        cmocka_unit_test(test_eager_config_mismatch),
        cmocka_unit_test(test_hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
