/* tests/unit/test_group_wire.c: the group protocol codecs: Kafka primitives, Connect metadata
 * and assignments, group API requests/responses; round trips and hostile/truncated input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "group/connect_protocol.h"
#include "group/requests.h"
#include "group/wire.h"

static void test_primitives_roundtrip(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b);
    wire_put_int8(&b, -5);
    wire_put_int16(&b, -300);
    wire_put_int32(&b, -70000);
    wire_put_int64(&b, INT64_MIN + 3);
    wire_put_string(&b, "héllo");
    wire_put_nstring(&b, NULL);
    wire_put_nbytes(&b, NULL, 0);
    wire_put_bytes(&b, "\0\1\2", 3);
    wire_put_uvarint(&b, 0xFFFFFFFFu);
    wire_put_cstring(&b, "c");
    wire_put_cnstring(&b, NULL);
    wire_put_cbytes(&b, "xy", 2);
    wire_put_carray_len(&b, 7);
    wire_put_empty_tags(&b);
    assert_int_equal(b.err, 0);

    wire_rd r;
    wire_rd_init(&r, b.data, b.len);
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint32_t u;
    const char *s;
    const uint8_t *p;
    size_t n;
    assert_int_equal(wire_get_int8(&r, &i8), 0);
    assert_int_equal(i8, -5);
    assert_int_equal(wire_get_int16(&r, &i16), 0);
    assert_int_equal(i16, -300);
    assert_int_equal(wire_get_int32(&r, &i32), 0);
    assert_int_equal(i32, -70000);
    assert_int_equal(wire_get_int64(&r, &i64), 0);
    assert_true(i64 == INT64_MIN + 3);
    assert_int_equal(wire_get_string(&r, &s, &n), 0);
    assert_int_equal(n, strlen("héllo"));
    assert_memory_equal(s, "héllo", n);
    assert_int_equal(wire_get_nstring(&r, &s, &n), 0);
    assert_null(s);
    assert_int_equal(wire_get_nbytes(&r, &p, &n), 0);
    assert_null(p);
    assert_int_equal(wire_get_bytes(&r, &p, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(wire_get_uvarint(&r, &u), 0);
    assert_true(u == 0xFFFFFFFFu);
    assert_int_equal(wire_get_cstring(&r, &s, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(wire_get_cnstring(&r, &s, &n), 0);
    assert_null(s);
    assert_int_equal(wire_get_cbytes(&r, &p, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(wire_get_carray_len(&r, 0, &i32), 0);
    assert_int_equal(i32, 7);
    assert_int_equal(wire_skip_tags(&r), 0);
    assert_int_equal(wire_rd_left(&r), 0);
    /* reading past the end fails and stays failed */
    assert_int_equal(wire_get_int8(&r, &i8), -1);
    assert_int_equal(wire_get_int8(&r, &i8), -1);
    wire_buf_free(&b);
}

static void test_hostile_lengths(void **state)
{
    (void)state;
    wire_rd r;
    const char *s;
    size_t n;
    int32_t c;
    static const uint8_t neg_str[] = {0xff, 0xfe, 'a'}; /* length -2 */
    wire_rd_init(&r, neg_str, sizeof(neg_str));
    assert_int_equal(wire_get_nstring(&r, &s, &n), -1);
    static const uint8_t long_str[] = {0x00, 0x10, 'a'}; /* 16 bytes announced, 1 present */
    wire_rd_init(&r, long_str, sizeof(long_str));
    assert_int_equal(wire_get_string(&r, &s, &n), -1);
    static const uint8_t null_str[] = {0xff, 0xff};
    wire_rd_init(&r, null_str, sizeof(null_str));
    assert_int_equal(wire_get_string(&r, &s, &n), -1); /* STRING may not be null */
    static const uint8_t big_array[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    wire_rd_init(&r, big_array, sizeof(big_array));
    assert_int_equal(wire_get_array_len(&r, 4, &c), -1);
    static const uint8_t neg_array[] = {0xff, 0xff, 0xff, 0xf0};
    wire_rd_init(&r, neg_array, sizeof(neg_array));
    assert_int_equal(wire_get_array_len(&r, 4, &c), -1);
    static const uint8_t long_varint[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    uint32_t u;
    wire_rd_init(&r, long_varint, sizeof(long_varint));
    assert_int_equal(wire_get_uvarint(&r, &u), -1);
    /* string with an embedded NUL cannot become a C string */
    char *out;
    assert_int_equal(wire_strdup("a\0b", 3, &out), -1);
    /* writer refuses NULL for non-nullable STRING */
    wire_buf b;
    wire_buf_init(&b);
    wire_put_string(&b, NULL);
    assert_int_equal(b.err, -1);
    wire_buf_free(&b);
}

static void test_request_header(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b);
    assert_int_equal(group_req_heartbeat(&b, 1, 42, "cli", "grp", 7, "m-1"), 0);
    wire_rd r;
    wire_rd_init(&r, b.data, b.len);
    int32_t size, corr, gen;
    int16_t key, ver;
    const char *s;
    size_t n;
    assert_int_equal(wire_get_int32(&r, &size), 0);
    assert_int_equal((size_t)size, b.len - 4);
    assert_int_equal(wire_get_int16(&r, &key), 0);
    assert_int_equal(key, GROUP_API_HEARTBEAT);
    assert_int_equal(wire_get_int16(&r, &ver), 0);
    assert_int_equal(ver, 1);
    assert_int_equal(wire_get_int32(&r, &corr), 0);
    assert_int_equal(corr, 42);
    assert_int_equal(wire_get_nstring(&r, &s, &n), 0);
    assert_memory_equal(s, "cli", 3);
    assert_int_equal(wire_get_string(&r, &s, &n), 0);
    assert_memory_equal(s, "grp", 3);
    assert_int_equal(wire_get_int32(&r, &gen), 0);
    assert_int_equal(gen, 7);
    assert_int_equal(wire_get_string(&r, &s, &n), 0);
    assert_memory_equal(s, "m-1", 3);
    assert_int_equal(wire_rd_left(&r), 0);
    wire_buf_free(&b);
    /* unsupported version refused */
    wire_buf_init(&b);
    assert_int_equal(group_req_join_group(&b, 9, 1, "c", &(group_join_request){0}), -1);
    wire_buf_free(&b);
}

static void test_version_pick(void **state)
{
    (void)state;
    group_api_versions v;
    memset(&v, 0, sizeof(v));
    v.known[GROUP_API_JOIN_GROUP] = true;
    v.min[GROUP_API_JOIN_GROUP] = 0;
    v.max[GROUP_API_JOIN_GROUP] = 9;
    assert_int_equal(group_api_pick(&v, GROUP_API_JOIN_GROUP), 5);
    v.max[GROUP_API_JOIN_GROUP] = 3;
    assert_int_equal(group_api_pick(&v, GROUP_API_JOIN_GROUP), 3);
    v.min[GROUP_API_JOIN_GROUP] = 6;
    v.max[GROUP_API_JOIN_GROUP] = 9;
    assert_int_equal(group_api_pick(&v, GROUP_API_JOIN_GROUP), -1);
    assert_int_equal(group_api_pick(&v, GROUP_API_HEARTBEAT), -1); /* broker lacks it */
    assert_int_equal(group_api_pick(NULL, GROUP_API_SYNC_GROUP), 0);
}

static void test_join_response_decode(void **state)
{
    (void)state;
    for (int16_t ver = 0; ver <= 5; ver++) {
        wire_buf b;
        wire_buf_init(&b);
        if (ver >= 2)
            wire_put_int32(&b, 0);
        wire_put_int16(&b, 0);
        wire_put_int32(&b, 3);
        wire_put_nstring(&b, "sessioned");
        wire_put_string(&b, "m1");
        wire_put_string(&b, "m1");
        wire_put_array_len(&b, 2);
        for (int i = 0; i < 2; i++) {
            wire_put_string(&b, i ? "m2" : "m1");
            if (ver >= 5)
                wire_put_nstring(&b, NULL);
            wire_put_bytes(&b, "meta", 4);
        }
        group_join_group_resp r;
        assert_int_equal(group_resp_join_group(b.data, b.len, ver, &r), 0);
        assert_int_equal(r.generation, 3);
        assert_string_equal(r.protocol_name, "sessioned");
        assert_int_equal(r.n_members, 2);
        assert_string_equal(r.members[1].member_id, "m2");
        assert_int_equal(r.members[1].metadata_len, 4);
        group_join_group_resp_clear(&r);
        /* every truncation fails cleanly */
        for (size_t cut = 0; cut < b.len; cut++) {
            assert_int_equal(group_resp_join_group(b.data, cut, ver, &r), -1);
            group_join_group_resp_clear(&r);
        }
        wire_buf_free(&b);
    }
}

static void test_other_responses(void **state)
{
    (void)state;
    wire_buf b;
    wire_buf_init(&b);
    wire_put_int16(&b, GROUP_ERR_UNSUPPORTED_VERSION); /* v0 body sent for a too-new request */
    wire_put_array_len(&b, 2);
    wire_put_int16(&b, GROUP_API_JOIN_GROUP);
    wire_put_int16(&b, 0);
    wire_put_int16(&b, 4);
    wire_put_int16(&b, 500); /* unknown key: ignored */
    wire_put_int16(&b, 0);
    wire_put_int16(&b, 1);
    group_api_versions_resp av;
    assert_int_equal(group_resp_api_versions(b.data, b.len, 2, &av), 0);
    assert_int_equal(av.error, GROUP_ERR_UNSUPPORTED_VERSION);
    assert_true(av.versions.known[GROUP_API_JOIN_GROUP]);
    assert_int_equal(group_api_pick(&av.versions, GROUP_API_JOIN_GROUP), 4);
    wire_buf_free(&b);

    wire_buf_init(&b);
    wire_put_int32(&b, 0);
    wire_put_int16(&b, 0);
    wire_put_nstring(&b, NULL);
    wire_put_int32(&b, 2);
    wire_put_string(&b, "127.0.0.1");
    wire_put_int32(&b, 9092);
    group_find_coordinator_resp fc;
    assert_int_equal(group_resp_find_coordinator(b.data, b.len, 2, &fc), 0);
    assert_string_equal(fc.host, "127.0.0.1");
    assert_int_equal(fc.port, 9092);
    group_find_coordinator_resp_clear(&fc);
    wire_buf_free(&b);

    wire_buf_init(&b);
    wire_put_int32(&b, 0);
    wire_put_int16(&b, 0);
    wire_put_array_len(&b, 1);
    wire_put_string(&b, "m");
    wire_put_nstring(&b, NULL);
    wire_put_int16(&b, GROUP_ERR_UNKNOWN_MEMBER_ID);
    group_simple_resp sr;
    assert_int_equal(group_resp_leave_group(b.data, b.len, 3, &sr), 0);
    assert_int_equal(sr.error, GROUP_ERR_UNKNOWN_MEMBER_ID);
    wire_buf_free(&b);
}

static group_connect_assignment sample_assignment(int16_t version)
{
    group_connect_assignment a;
    memset(&a, 0, sizeof(a));
    a.version = version;
    a.leader = strdup("leader-1");
    a.leader_url = strdup("http://w1:8083/");
    a.config_offset = 12345678901LL;
    group_connect_list_add(&a.assignment, "conn-a", -1);
    group_connect_list_add(&a.assignment, "conn-b", -1);
    group_connect_list_add(&a.assignment, "conn-a", 0);
    group_connect_list_add(&a.assignment, "conn-a", 2);
    if (version >= 1) {
        group_connect_list_add(&a.revoked, "conn-c", 1);
        a.delay = 5000;
    }
    return a;
}

static void test_connect_assignment_roundtrip(void **state)
{
    (void)state;
    for (int16_t v = 0; v <= 2; v++) {
        group_connect_assignment a = sample_assignment(v), d;
        uint8_t *buf;
        size_t len;
        assert_int_equal(group_connect_assignment_encode(&a, &buf, &len), 0);
        char err[128];
        assert_int_equal(group_connect_assignment_decode(buf, len, &d, err, sizeof(err)), 0);
        assert_int_equal(d.version, v);
        assert_string_equal(d.leader, "leader-1");
        assert_string_equal(d.leader_url, "http://w1:8083/");
        assert_true(d.config_offset == 12345678901LL);
        assert_int_equal(d.assignment.n, 2);
        assert_string_equal(d.assignment.items[0].connector, "conn-a");
        assert_int_equal(d.assignment.items[0].n_tasks, 3);
        assert_int_equal(d.assignment.items[0].tasks[0], -1);
        assert_int_equal(d.assignment.items[0].tasks[2], 2);
        if (v == 0) {
            /* the tolerant v1 reader fills the missing trailing fields */
            assert_true(d.revoked.is_null);
            assert_int_equal(d.delay, 0);
        } else {
            assert_int_equal(d.revoked.n, 1);
            assert_int_equal(d.delay, 5000);
        }
        /* re-encoding the decoded value gives the same bytes */
        uint8_t *buf2;
        size_t len2;
        assert_int_equal(group_connect_assignment_encode(&d, &buf2, &len2), 0);
        assert_int_equal(len2, len);
        assert_memory_equal(buf, buf2, len);
        free(buf2);
        group_connect_assignment_clear(&d);
        group_connect_assignment_clear(&a);
        free(buf);
    }
    /* v1 with nothing after config_offset: null arrays, delay 0 */
    wire_buf b;
    wire_buf_init(&b);
    wire_put_int16(&b, 1);
    wire_put_int16(&b, GROUP_CONNECT_CONFIG_MISMATCH);
    wire_put_string(&b, "l");
    wire_put_string(&b, "u");
    wire_put_int64(&b, 9);
    group_connect_assignment d;
    assert_int_equal(group_connect_assignment_decode(b.data, b.len, &d, NULL, 0), 0);
    assert_int_equal(d.error, GROUP_CONNECT_CONFIG_MISMATCH);
    assert_true(d.assignment.is_null && d.revoked.is_null);
    group_connect_assignment_clear(&d);
    /* a field that starts must finish: 2 stray bytes where delay would be */
    wire_buf_free(&b);
    group_connect_assignment a = sample_assignment(1);
    uint8_t *buf;
    size_t len;
    assert_int_equal(group_connect_assignment_encode(&a, &buf, &len), 0);
    char err[128];
    assert_int_equal(group_connect_assignment_decode(buf, len - 2, &d, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "assignment"));
    group_connect_assignment_clear(&d);
    group_connect_assignment_clear(&a);
    free(buf);
}

static void test_connect_metadata_roundtrip(void **state)
{
    (void)state;
    for (int16_t v = 0; v <= 2; v++) {
        group_connect_metadata m = {.version = v, .url = strdup("http://w2:8083/"),
                                    .config_offset = 77};
        if (v >= 1) {
            m.allocation = calloc(1, sizeof(*m.allocation));
            *m.allocation = sample_assignment(v);
        }
        uint8_t *buf;
        size_t len;
        assert_int_equal(group_connect_metadata_encode(&m, &buf, &len), 0);
        group_connect_metadata d;
        assert_int_equal(group_connect_metadata_decode(buf, len, &d, NULL, 0), 0);
        assert_int_equal(d.version, v);
        assert_string_equal(d.url, "http://w2:8083/");
        assert_int_equal(d.config_offset, 77);
        if (v == 0) {
            assert_null(d.allocation);
        } else {
            assert_non_null(d.allocation);
            assert_int_equal(group_connect_list_count(&d.allocation->assignment), 4);
            assert_int_equal(d.allocation->delay, 5000);
        }
        for (size_t cut = 0; cut < len; cut++) {
            group_connect_metadata t;
            int rc = group_connect_metadata_decode(buf, cut, &t, NULL, 0);
            /* v1+ may legally stop right after config_offset (allocation absent) */
            assert_true(rc == -1 || (v >= 1 && cut == 2 + 2 + strlen(d.url) + 8));
            group_connect_metadata_clear(&t);
        }
        group_connect_metadata_clear(&d);
        group_connect_metadata_clear(&m);
        free(buf);
    }
    /* null allocation */
    group_connect_metadata m = {.version = 2, .url = strdup("u")}, d;
    uint8_t *buf;
    size_t len;
    assert_int_equal(group_connect_metadata_encode(&m, &buf, &len), 0);
    assert_int_equal(group_connect_metadata_decode(buf, len, &d, NULL, 0), 0);
    assert_null(d.allocation);
    group_connect_metadata_clear(&d);
    group_connect_metadata_clear(&m);
    free(buf);
}

/* Feed each decoder random bytes, and mutated/truncated valid inputs; under ASan this also
 * proves no out-of-bounds read. Decoders must return without crashing or leaking. */
static void test_fuzz_decoders(void **state)
{
    (void)state;
    srand(1234);
    group_connect_metadata seedm = {.version = 1, .url = strdup("http://x/"),
                                    .config_offset = 5};
    seedm.allocation = calloc(1, sizeof(*seedm.allocation));
    *seedm.allocation = sample_assignment(1);
    uint8_t *seed;
    size_t seed_len;
    assert_int_equal(group_connect_metadata_encode(&seedm, &seed, &seed_len), 0);
    group_connect_metadata_clear(&seedm);
    uint8_t buf[512];
    for (int it = 0; it < 4000; it++) {
        size_t len;
        if (it % 2) {
            len = (size_t)rand() % sizeof(buf);
            for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)rand();
        } else {
            len = seed_len < sizeof(buf) ? seed_len : sizeof(buf);
            memcpy(buf, seed, len);
            int flips = 1 + rand() % 4;
            for (int f = 0; f < flips; f++)
                buf[(size_t)rand() % len] ^= (uint8_t)(1u << (rand() % 8));
            len = (size_t)rand() % (len + 1);
        }
        group_connect_metadata m;
        group_connect_metadata_decode(buf, len, &m, NULL, 0);
        group_connect_metadata_clear(&m);
        group_connect_assignment a;
        group_connect_assignment_decode(buf, len, &a, NULL, 0);
        group_connect_assignment_clear(&a);
        int16_t ver = (int16_t)(it % 6);
        group_api_versions_resp av;
        group_resp_api_versions(buf, len, ver % 3, &av);
        group_find_coordinator_resp fc;
        group_resp_find_coordinator(buf, len, ver % 3, &fc);
        group_find_coordinator_resp_clear(&fc);
        group_join_group_resp jr;
        group_resp_join_group(buf, len, ver, &jr);
        group_join_group_resp_clear(&jr);
        group_sync_group_resp sr;
        group_resp_sync_group(buf, len, ver % 4, &sr);
        group_sync_group_resp_clear(&sr);
        group_simple_resp hr;
        group_resp_heartbeat(buf, len, ver % 4, &hr);
        group_resp_leave_group(buf, len, ver % 4, &hr);
        wire_rd r;
        wire_rd_init(&r, buf, len);
        wire_skip_tags(&r);
        int32_t corr;
        wire_rd_init(&r, buf, len);
        wire_read_response_header(&r, 1, &corr);
    }
    free(seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primitives_roundtrip),
        cmocka_unit_test(test_hostile_lengths),
        cmocka_unit_test(test_request_header),
        cmocka_unit_test(test_version_pick),
        cmocka_unit_test(test_join_response_decode),
        cmocka_unit_test(test_other_responses),
        cmocka_unit_test(test_connect_assignment_roundtrip),
        cmocka_unit_test(test_connect_metadata_roundtrip),
        cmocka_unit_test(test_fuzz_decoders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
