/* tests/unit/test_group_member.c: the membership client against librdkafka's in-process mock
 * cluster: two members join, the leader assigns, heartbeats hold, one leaves, the other rejoins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "group/connect_protocol.h"
#include "group/member.h"
#include "kafka/devcluster.h"
#include "util/log.h"

typedef struct worker {
    group_member *m;
    const char *url;
    int prepares;
    int assigns; /* leader callback runs */
    int assigned; /* assignments received */
    int32_t last_gen;
    group_connect_assignment last;
} worker;

static void on_prepare(void *opaque, int32_t gen, const char *member_id)
{
    (void)gen;
    (void)member_id;
    worker *w = opaque;
    w->prepares++;
    group_connect_metadata md = {.version = 1, .url = (char *)w->url, .config_offset = 3};
    uint8_t *buf;
    size_t len;
    assert_int_equal(group_connect_metadata_encode(&md, &buf, &len), 0);
    group_protocol p = {GROUP_CONNECT_COMPATIBLE, buf, len};
    assert_int_equal(group_member_set_protocols(w->m, &p, 1), 0);
    free(buf);
}

/* A toy assignor: connector "c" to the first member, task i to member i. */
static int on_assign(void *opaque, const group_assign_input *in, uint8_t **out, size_t *out_len,
                     char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    worker *w = opaque;
    w->assigns++;
    const char *leader_url = NULL;
    for (size_t i = 0; i < in->n_members; i++) {
        group_connect_metadata md;
        assert_int_equal(group_connect_metadata_decode(in->members[i].metadata,
                                                        in->members[i].metadata_len, &md, NULL,
                                                        0),
                         0);
        assert_int_equal(md.config_offset, 3);
        if (strcmp(in->members[i].member_id, in->leader_id) == 0)
            leader_url = w->url;
        group_connect_metadata_clear(&md);
    }
    assert_non_null(leader_url);
    for (size_t i = 0; i < in->n_members; i++) {
        group_connect_assignment a = {.version = 1, .leader = (char *)in->leader_id,
                                      .leader_url = (char *)leader_url, .config_offset = 3};
        if (i == 0)
            group_connect_list_add(&a.assignment, "c", -1);
        group_connect_list_add(&a.assignment, "c", (int32_t)i);
        assert_int_equal(group_connect_assignment_encode(&a, &out[i], &out_len[i]), 0);
        group_connect_list_clear(&a.assignment);
    }
    return 0;
}

static void on_assigned(void *opaque, const group_member_assignment *a)
{
    worker *w = opaque;
    w->assigned++;
    w->last_gen = a->generation;
    group_connect_assignment_clear(&w->last);
    assert_int_equal(group_connect_assignment_decode(a->data, a->len, &w->last, NULL, 0), 0);
    assert_string_equal(w->last.leader, a->leader_id);
}

static group_member *new_member(worker *w, const char *bootstrap)
{
    group_member_config cfg;
    group_member_config_defaults(&cfg);
    cfg.bootstrap_servers = bootstrap;
    cfg.group_id = "sluice-test-cluster";
    cfg.session_timeout_ms = 3000;
    cfg.heartbeat_interval_ms = 300;
    cfg.rebalance_timeout_ms = 3000;
    group_member_callbacks cb = {.opaque = w,
                                 .on_join_prepare = on_prepare,
                                 .assign = on_assign,
                                 .on_assigned = on_assigned};
    char err[256];
    group_member *m = group_member_new(&cfg, &cb, err, sizeof(err));
    assert_non_null(m);
    return m;
}

/* Drive both members until `done` holds or the time budget passes. */
static void drive(worker *a, worker *b, int budget_ms, int (*done)(worker *, worker *))
{
    char err[256];
    for (int t = 0; t < budget_ms && !done(a, b); t += 20) {
        if (a && a->m)
            group_member_poll(a->m, 10, err, sizeof(err));
        if (b && b->m)
            group_member_poll(b->m, 10, err, sizeof(err));
    }
}

static int both_stable(worker *a, worker *b)
{
    return group_member_get_state(a->m) == GROUP_MEMBER_STABLE &&
           group_member_get_state(b->m) == GROUP_MEMBER_STABLE &&
           group_member_generation(a->m) == group_member_generation(b->m) &&
           a->last_gen == group_member_generation(a->m) &&
           b->last_gen == group_member_generation(b->m) &&
           group_connect_list_count(&a->last.assignment) +
                   group_connect_list_count(&b->last.assignment) ==
               3;
}

static int32_t old_gen;

static int a_alone(worker *a, worker *b)
{
    (void)b;
    return group_member_generation(a->m) > old_gen &&
           group_member_get_state(a->m) == GROUP_MEMBER_STABLE &&
           a->last_gen == group_member_generation(a->m) &&
           group_connect_list_count(&a->last.assignment) == 2;
}

static void test_two_members(void **state)
{
    (void)state;
    log_set_level(SL_LOG_WARN);
    char err[256];
    kafka_devcluster *dc = kafka_devcluster_start(1, NULL, err, sizeof(err));
    assert_non_null(dc);
    const char *bs = kafka_devcluster_bootstraps(dc);
    worker a = {.url = "http://a:8083/"}, b = {.url = "http://b:8083/"};
    a.m = new_member(&a, bs);
    b.m = new_member(&b, bs);

    drive(&a, &b, 30000, both_stable); /* generous: the mock and a loaded CI machine are slow */
    assert_true(both_stable(&a, &b));
    assert_int_equal(a.assigns + b.assigns >= 1, 1);
    assert_true(group_member_is_leader(a.m) != group_member_is_leader(b.m));
    worker *leader = group_member_is_leader(a.m) ? &a : &b;
    assert_int_equal(leader->assigns >= 1, 1);
    assert_string_equal(group_member_leader_id(a.m), group_member_leader_id(b.m));
    assert_string_equal(group_member_protocol(a.m), GROUP_CONNECT_COMPATIBLE);
    int32_t gen = group_member_generation(a.m);
    old_gen = gen;

    /* heartbeats keep both in for several session-timeout-free intervals */
    for (int t = 0; t < 1500; t += 20) {
        group_member_poll(a.m, 10, err, sizeof(err));
        group_member_poll(b.m, 10, err, sizeof(err));
    }
    assert_int_equal(group_member_get_state(a.m), GROUP_MEMBER_STABLE);
    assert_int_equal(group_member_get_state(b.m), GROUP_MEMBER_STABLE);
    assert_int_equal(group_member_generation(a.m), gen);
    assert_true(group_member_coordinator_silence_ms(a.m) < 1000);

    /* b leaves; a is told to rebalance and ends alone with a new generation */
    assert_int_equal(group_member_leave(b.m, 2000), 0);
    assert_int_equal(group_member_get_state(b.m), GROUP_MEMBER_LEFT);
    group_member_destroy(b.m);
    b.m = NULL;
    drive(&a, NULL, 20000, a_alone);
    assert_true(a_alone(&a, NULL));
    assert_true(group_member_generation(a.m) > gen);
    assert_true(group_member_is_leader(a.m));

    group_member_close(a.m, 1000);
    assert_int_equal(group_member_get_state(a.m), GROUP_MEMBER_CLOSED);
    group_member_destroy(a.m);
    group_connect_assignment_clear(&a.last);
    group_connect_assignment_clear(&b.last);
    kafka_devcluster_stop(dc);
}

static void test_bad_config(void **state)
{
    (void)state;
    group_member_config cfg;
    group_member_config_defaults(&cfg);
    group_member_callbacks cb = {.assign = on_assign, .on_assigned = on_assigned};
    char err[256];
    assert_null(group_member_new(&cfg, &cb, err, sizeof(err)));
    cfg.group_id = "g";
    cfg.bootstrap_servers = "127.0.0.1:1";
    cfg.heartbeat_interval_ms = cfg.session_timeout_ms;
    assert_null(group_member_new(&cfg, &cb, err, sizeof(err)));
    assert_non_null(strstr(err, "heartbeat"));
    /* unreachable broker: polls fail to connect, retry, never crash */
    group_member_config_defaults(&cfg);
    cfg.group_id = "g";
    cfg.bootstrap_servers = "127.0.0.1:1, garbage";
    log_set_level(SL_LOG_ERROR);
    group_member *m = group_member_new(&cfg, &cb, err, sizeof(err));
    assert_non_null(m);
    group_member_poll(m, 300, err, sizeof(err));
    assert_int_equal(group_member_get_state(m), GROUP_MEMBER_UNJOINED);
    group_member_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_two_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
