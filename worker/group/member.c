/* group/member.c: the membership state machine: discover the coordinator, JoinGroup (with the
 * MEMBER_ID_REQUIRED retry), SyncGroup (assigning as leader), heartbeats, errors, LeaveGroup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "group/member_internal.h"
#include "util/log.h"

#define LG "group"

void group_member_config_defaults(group_member_config *c)
{
    memset(c, 0, sizeof(*c));
    c->session_timeout_ms = 10000;
    c->heartbeat_interval_ms = 3000;
    c->rebalance_timeout_ms = 60000;
    c->request_timeout_ms = 40000;
    c->retry_backoff_ms = 100;
    c->connect_timeout_ms = 5000;
}

static int set_str(char **dst, const char *src)
{
    char *d = strdup(src ? src : "");
    if (!d)
        return -1;
    free(*dst);
    *dst = d;
    return 0;
}

static void free_protos(group_protocol *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)p[i].name);
        free((uint8_t *)p[i].metadata);
    }
    free(p);
}

group_member *group_member_new(const group_member_config *cfg, const group_member_callbacks *cb,
                               char *errstr, size_t errstr_size)
{
    if (!cfg->group_id || !*cfg->group_id || !cfg->bootstrap_servers ||
        !*cfg->bootstrap_servers) {
        snprintf(errstr, errstr_size, "group.id and bootstrap.servers are required");
        return NULL;
    }
    if (cfg->heartbeat_interval_ms <= 0 || cfg->heartbeat_interval_ms >= cfg->session_timeout_ms) {
        snprintf(errstr, errstr_size, "heartbeat.interval.ms must be > 0 and < session.timeout.ms");
        return NULL;
    }
    if (!cb->assign || !cb->on_assigned) {
        snprintf(errstr, errstr_size, "assign and on_assigned callbacks are required");
        return NULL;
    }
    group_member *m = calloc(1, sizeof(*m));
    if (!m)
        goto oom;
    m->cfg = *cfg;
    m->cfg.group_id = m->cfg.bootstrap_servers = m->cfg.client_id = m->cfg.protocol_type = NULL;
    if (set_str((char **)&m->cfg.group_id, cfg->group_id) ||
        set_str((char **)&m->cfg.bootstrap_servers, cfg->bootstrap_servers) ||
        set_str((char **)&m->cfg.client_id, cfg->client_id ? cfg->client_id : "sluice") ||
        set_str((char **)&m->cfg.protocol_type,
                cfg->protocol_type ? cfg->protocol_type : "connect") ||
        set_str(&m->member_id, "") || set_str(&m->leader_id, ""))
        goto oom;
    if (m->cfg.rebalance_timeout_ms <= 0)
        m->cfg.rebalance_timeout_ms = 60000;
    if (m->cfg.request_timeout_ms <= 0)
        m->cfg.request_timeout_ms = 40000;
    if (m->cfg.retry_backoff_ms <= 0)
        m->cfg.retry_backoff_ms = 100;
    if (m->cfg.connect_timeout_ms <= 0)
        m->cfg.connect_timeout_ms = 5000;
    m->cb = *cb;
    m->tp = cfg->transport_new ? cfg->transport_new(cfg->transport_opaque)
                               : group_transport_tcp_new();
    if (!m->tp)
        goto oom;
    m->phase = PH_DISCOVER;
    m->generation = -1;
    m->inflight_api = -1;
    m->last_coord_ok = -1;
    m->next_corr = 1;
    return m;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    group_member_destroy(m);
    return NULL;
}

int group_member_set_protocols(group_member *m, const group_protocol *protos, size_t n)
{
    group_protocol *p = calloc(n ? n : 1, sizeof(*p));
    if (!p)
        return -1;
    for (size_t i = 0; i < n; i++) {
        p[i].name = strdup(protos[i].name);
        p[i].metadata_len = protos[i].metadata_len;
        p[i].metadata = malloc(protos[i].metadata_len ? protos[i].metadata_len : 1);
        if (!p[i].name || !p[i].metadata) {
            free_protos(p, i + 1);
            return -1;
        }
        if (protos[i].metadata_len)
            memcpy((uint8_t *)p[i].metadata, protos[i].metadata, protos[i].metadata_len);
    }
    free_protos(m->protos, m->n_protos);
    m->protos = p;
    m->n_protos = n;
    return 0;
}

/* ---- transitions ---- */

static void backoff(group_member *m)
{
    m->next_action = member_now_ms() + m->backoff_ms;
    m->backoff_ms = m->backoff_ms ? m->backoff_ms * 2 : m->cfg.retry_backoff_ms;
    if (m->backoff_ms > 1000)
        m->backoff_ms = 1000;
}

/* The coordinator is unknown or unreachable: find it again. A member holding a generation
 * resumes heartbeating after rediscovery, as AbstractCoordinator does, rather than forcing a
 * rebalance; the heartbeat tells it whether it is still in the group. */
static void coordinator_lost(group_member *m, const char *why)
{
    LOG_INFO(LG, "group %s: coordinator %s:%d lost (%s); rediscovering", m->cfg.group_id,
             m->coord_host ? m->coord_host : "?", m->coord_port, why);
    m->was_stable = m->phase == PH_STABLE || (m->phase <= PH_COORD_APIV && m->was_stable);
    member_disconnect(m);
    free(m->coord_host);
    m->coord_host = NULL;
    m->phase = PH_DISCOVER;
    backoff(m);
}

static void reset_generation(group_member *m, const char *reason)
{
    LOG_INFO(LG, "group %s: membership lost (%s); rejoining", m->cfg.group_id, reason);
    set_str(&m->member_id, "");
    m->generation = -1;
    m->was_stable = false;
    if (m->cb.on_lost)
        m->cb.on_lost(m->cb.opaque, reason);
}

static void need_join(group_member *m, bool with_backoff)
{
    m->phase = PH_NEED_JOIN;
    if (with_backoff)
        backoff(m);
    else
        m->next_action = 0;
}

static void surface(group_member *m, const char *fmt, const char *a, const char *b)
{
    snprintf(m->err, sizeof(m->err), fmt, a, b);
    m->has_err = true;
    LOG_ERROR(LG, "%s", m->err);
}

static int send_api_versions(group_member *m)
{
    wire_buf b;
    wire_buf_init(&b);
    int16_t ver = 2; /* our highest; an older broker answers in v0 with its ranges */
    int32_t corr = m->next_corr++;
    if (group_req_api_versions(&b, ver, corr, m->cfg.client_id) ||
        member_send(m, &b, GROUP_API_API_VERSIONS, ver, corr, m->cfg.request_timeout_ms)) {
        wire_buf_free(&b);
        return -1;
    }
    return 0;
}

static int send_join(group_member *m)
{
    int16_t ver = group_api_pick(&m->versions, GROUP_API_JOIN_GROUP);
    if (ver < 0) {
        surface(m, "group %s: broker supports no JoinGroup version we speak%s", m->cfg.group_id,
                "");
        return -1;
    }
    group_join_request req = {
        .group_id = m->cfg.group_id,
        .session_timeout_ms = m->cfg.session_timeout_ms,
        .rebalance_timeout_ms = m->cfg.rebalance_timeout_ms,
        .member_id = m->member_id,
        .protocol_type = m->cfg.protocol_type,
        .protocols = m->protos,
        .n_protocols = m->n_protos,
    };
    wire_buf b;
    wire_buf_init(&b);
    int32_t corr = m->next_corr++;
    /* The coordinator holds JoinGroup until every member has joined or the rebalance timeout
     * passes, so wait longer than that (as AbstractCoordinator does). */
    int timeout = m->cfg.rebalance_timeout_ms + 5000;
    if (timeout < m->cfg.request_timeout_ms)
        timeout = m->cfg.request_timeout_ms;
    if (group_req_join_group(&b, ver, corr, m->cfg.client_id, &req) ||
        member_send(m, &b, GROUP_API_JOIN_GROUP, ver, corr, timeout)) {
        wire_buf_free(&b);
        return -1;
    }
    m->phase = PH_JOINING;
    return 0;
}

static void start_join(group_member *m)
{
    m->rejoin_pending = false;
    if (m->cb.on_join_prepare)
        m->cb.on_join_prepare(m->cb.opaque, m->generation, m->member_id);
    if (send_join(m))
        need_join(m, true);
}

static int send_simple(group_member *m, int16_t api)
{
    int16_t ver = group_api_pick(&m->versions, api);
    wire_buf b;
    wire_buf_init(&b);
    int32_t corr = m->next_corr++;
    int rc = -1;
    if (ver >= 0) {
        if (api == GROUP_API_HEARTBEAT)
            rc = group_req_heartbeat(&b, ver, corr, m->cfg.client_id, m->cfg.group_id,
                                     m->generation, m->member_id);
        else
            rc = group_req_leave_group(&b, ver, corr, m->cfg.client_id, m->cfg.group_id,
                                       m->member_id);
    }
    if (rc || member_send(m, &b, api, ver, corr, m->cfg.request_timeout_ms)) {
        wire_buf_free(&b);
        return -1;
    }
    return 0;
}

/* ---- response handlers ---- */

static bool is_coordinator_error(int16_t e)
{
    return e == GROUP_ERR_NOT_COORDINATOR || e == GROUP_ERR_COORDINATOR_NOT_AVAILABLE;
}

static void on_api_versions(group_member *m, const uint8_t *p, size_t len)
{
    group_api_versions_resp r;
    if (group_resp_api_versions(p, len, m->inflight_ver, &r) ||
        (r.error && r.error != GROUP_ERR_UNSUPPORTED_VERSION)) {
        coordinator_lost(m, "bad ApiVersions response");
        return;
    }
    m->versions = r.versions;
    m->versions_known = true;
    if (m->phase == PH_BOOT_APIV) {
        int16_t ver = group_api_pick(&m->versions, GROUP_API_FIND_COORDINATOR);
        wire_buf b;
        wire_buf_init(&b);
        int32_t corr = m->next_corr++;
        if (ver < 0 ||
            group_req_find_coordinator(&b, ver, corr, m->cfg.client_id, m->cfg.group_id, 0) ||
            member_send(m, &b, GROUP_API_FIND_COORDINATOR, ver, corr,
                        m->cfg.request_timeout_ms)) {
            wire_buf_free(&b);
            coordinator_lost(m, "cannot send FindCoordinator");
            return;
        }
        m->phase = PH_FIND;
        return;
    }
    /* Coordinator connection ready. */
    m->inflight_api = -1;
    m->backoff_ms = 0;
    m->last_coord_ok = member_now_ms();
    if (m->was_stable && m->generation >= 0) {
        m->phase = PH_STABLE;
        m->next_heartbeat = 0;
    } else {
        need_join(m, false);
    }
}

static void on_find_coordinator(group_member *m, const uint8_t *p, size_t len)
{
    group_find_coordinator_resp r;
    if (group_resp_find_coordinator(p, len, m->inflight_ver, &r) || r.error || !r.host ||
        r.port <= 0 || r.port > 65535) {
        LOG_INFO(LG, "group %s: FindCoordinator: %s", m->cfg.group_id,
                 group_err_name(r.error));
        group_find_coordinator_resp_clear(&r);
        coordinator_lost(m, "FindCoordinator failed");
        return;
    }
    m->inflight_api = -1;
    free(m->coord_host);
    m->coord_host = r.host;
    r.host = NULL;
    m->coord_port = r.port;
    LOG_DEBUG(LG, "group %s: coordinator is broker %d at %s:%d", m->cfg.group_id, r.node_id,
              m->coord_host, m->coord_port);
    group_find_coordinator_resp_clear(&r);
    if (member_connect(m, m->coord_host, m->coord_port) || send_api_versions(m)) {
        coordinator_lost(m, "cannot connect to coordinator");
        return;
    }
    m->phase = PH_COORD_APIV;
}

/* JoinGroup answered: as leader run the assignor, then SyncGroup (followers send nothing). */
static void send_sync(group_member *m, const group_join_group_resp *r)
{
    bool leader = strcmp(r->leader, r->member_id) == 0;
    size_t n = leader ? r->n_members : 0;
    uint8_t **data = calloc(n ? n : 1, sizeof(*data));
    size_t *lens = calloc(n ? n : 1, sizeof(*lens));
    group_sync_assignment *as = calloc(n ? n : 1, sizeof(*as));
    int rc = (!data || !lens || !as) ? -1 : 0;
    if (rc == 0 && leader) {
        group_assign_input in = {.generation = r->generation,
                                 .protocol = r->protocol_name ? r->protocol_name : "",
                                 .leader_id = r->member_id,
                                 .members = r->members,
                                 .n_members = r->n_members};
        char errstr[256] = "";
        rc = m->cb.assign(m->cb.opaque, &in, data, lens, errstr, sizeof(errstr));
        if (rc)
            LOG_ERROR(LG, "group %s: assignment failed: %s", m->cfg.group_id, errstr);
        for (size_t i = 0; i < n; i++) {
            as[i].member_id = r->members[i].member_id;
            as[i].data = data[i];
            as[i].len = data[i] ? lens[i] : 0;
        }
    }
    if (rc == 0) {
        int16_t ver = group_api_pick(&m->versions, GROUP_API_SYNC_GROUP);
        wire_buf b;
        wire_buf_init(&b);
        int32_t corr = m->next_corr++;
        if (ver < 0 ||
            group_req_sync_group(&b, ver, corr, m->cfg.client_id, m->cfg.group_id, m->generation,
                                 m->member_id, as, n) ||
            member_send(m, &b, GROUP_API_SYNC_GROUP, ver, corr, m->cfg.request_timeout_ms)) {
            wire_buf_free(&b);
            rc = -1;
        }
    }
    for (size_t i = 0; data && i < n; i++)
        free(data[i]);
    free(data);
    free(lens);
    free(as);
    if (rc) {
        m->inflight_api = -1;
        need_join(m, true);
        return;
    }
    m->phase = PH_SYNCING;
}

static void on_join_group(group_member *m, const uint8_t *p, size_t len)
{
    group_join_group_resp r;
    if (group_resp_join_group(p, len, m->inflight_ver, &r)) {
        group_join_group_resp_clear(&r);
        coordinator_lost(m, "malformed JoinGroup response");
        return;
    }
    m->inflight_api = -1;
    m->last_coord_ok = member_now_ms();
    int16_t e = r.error;
    if (e == GROUP_ERR_NONE) {
        set_str(&m->member_id, r.member_id);
        set_str(&m->leader_id, r.leader);
        free(m->protocol);
        m->protocol = r.protocol_name ? strdup(r.protocol_name) : NULL;
        m->generation = r.generation;
        m->backoff_ms = 0;
        LOG_INFO(LG, "group %s: joined generation %d as %s (%s), protocol %s, %zu members",
                 m->cfg.group_id, r.generation, r.member_id,
                 strcmp(r.leader, r.member_id) == 0 ? "leader" : "follower",
                 m->protocol ? m->protocol : "?", r.n_members);
        send_sync(m, &r);
    } else if (e == GROUP_ERR_MEMBER_ID_REQUIRED) {
        /* KIP-394 (JoinGroup v4+): a real broker hands out the id and expects us back at once
         * with it; the mock never asks. */
        set_str(&m->member_id, r.member_id);
        if (send_join(m))
            need_join(m, true);
    } else if (e == GROUP_ERR_UNKNOWN_MEMBER_ID || e == GROUP_ERR_ILLEGAL_GENERATION) {
        reset_generation(m, group_err_name(e));
        need_join(m, false);
    } else if (e == GROUP_ERR_REBALANCE_IN_PROGRESS) {
        need_join(m, false);
    } else if (is_coordinator_error(e)) {
        coordinator_lost(m, group_err_name(e));
    } else if (e == GROUP_ERR_COORDINATOR_LOAD_IN_PROGRESS) {
        need_join(m, true);
    } else {
        surface(m, "group %s: JoinGroup failed: %s", m->cfg.group_id, group_err_name(e));
        need_join(m, true);
    }
    group_join_group_resp_clear(&r);
}

static void on_sync_group(group_member *m, const uint8_t *p, size_t len)
{
    group_sync_group_resp r;
    if (group_resp_sync_group(p, len, m->inflight_ver, &r)) {
        group_sync_group_resp_clear(&r);
        coordinator_lost(m, "malformed SyncGroup response");
        return;
    }
    m->inflight_api = -1;
    int64_t now = member_now_ms();
    m->last_coord_ok = now;
    int16_t e = r.error;
    if (e == GROUP_ERR_NONE) {
        m->phase = PH_STABLE;
        m->next_heartbeat = now + m->cfg.heartbeat_interval_ms;
        group_member_assignment a = {
            .generation = m->generation,
            .member_id = m->member_id,
            .leader_id = m->leader_id,
            .protocol = m->protocol,
            .is_leader = strcmp(m->member_id, m->leader_id) == 0,
            .data = r.assignment,
            .len = r.assignment_len,
        };
        m->delivered = true;
        m->cb.on_assigned(m->cb.opaque, &a);
    } else if (e == GROUP_ERR_UNKNOWN_MEMBER_ID || e == GROUP_ERR_ILLEGAL_GENERATION) {
        reset_generation(m, group_err_name(e));
        need_join(m, false);
    } else if (e == GROUP_ERR_REBALANCE_IN_PROGRESS) {
        need_join(m, false);
    } else if (is_coordinator_error(e)) {
        coordinator_lost(m, group_err_name(e));
    } else {
        surface(m, "group %s: SyncGroup failed: %s", m->cfg.group_id, group_err_name(e));
        need_join(m, true);
    }
    group_sync_group_resp_clear(&r);
}

static void on_heartbeat(group_member *m, const uint8_t *p, size_t len)
{
    group_simple_resp r;
    if (group_resp_heartbeat(p, len, m->inflight_ver, &r)) {
        coordinator_lost(m, "malformed Heartbeat response");
        return;
    }
    m->inflight_api = -1;
    int64_t now = member_now_ms();
    m->last_coord_ok = now;
    m->next_heartbeat = now + m->cfg.heartbeat_interval_ms;
    int16_t e = r.error;
    if (e == GROUP_ERR_NONE)
        return;
    if (e == GROUP_ERR_REBALANCE_IN_PROGRESS) {
        LOG_INFO(LG, "group %s: rebalance in progress; rejoining", m->cfg.group_id);
        need_join(m, false);
    } else if (e == GROUP_ERR_UNKNOWN_MEMBER_ID || e == GROUP_ERR_ILLEGAL_GENERATION ||
               e == GROUP_ERR_FENCED_INSTANCE_ID) {
        reset_generation(m, group_err_name(e));
        need_join(m, false);
    } else if (is_coordinator_error(e)) {
        coordinator_lost(m, group_err_name(e));
    } else {
        LOG_WARN(LG, "group %s: heartbeat: %s", m->cfg.group_id, group_err_name(e));
    }
}

static void dispatch(group_member *m, const uint8_t *p, size_t len)
{
    switch (m->inflight_api) {
    case GROUP_API_API_VERSIONS: on_api_versions(m, p, len); break;
    case GROUP_API_FIND_COORDINATOR: on_find_coordinator(m, p, len); break;
    case GROUP_API_JOIN_GROUP: on_join_group(m, p, len); break;
    case GROUP_API_SYNC_GROUP: on_sync_group(m, p, len); break;
    case GROUP_API_HEARTBEAT: on_heartbeat(m, p, len); break;
    default: m->inflight_api = -1; break;
    }
}

/* Start whatever is due when nothing is in flight. */
static void step(group_member *m, int64_t now)
{
    switch (m->phase) {
    case PH_DISCOVER: {
        if (now < m->next_action)
            return;
        char *host = NULL;
        int port = 0;
        if (member_next_bootstrap(m, &host, &port)) {
            surface(m, "group %s: bad bootstrap.servers entry in '%s'", m->cfg.group_id,
                    m->cfg.bootstrap_servers);
            backoff(m);
            return;
        }
        if (member_connect(m, host, port) || send_api_versions(m)) {
            member_disconnect(m);
            backoff(m);
        } else {
            m->phase = PH_BOOT_APIV;
        }
        free(host);
        return;
    }
    case PH_NEED_JOIN:
        if (now >= m->next_action)
            start_join(m);
        return;
    case PH_STABLE:
        if (m->rejoin_pending) {
            start_join(m);
            return;
        }
        if (m->last_coord_ok >= 0 && now - m->last_coord_ok > m->cfg.session_timeout_ms) {
            /* Our session has surely expired on the broker; find the coordinator again and let
             * the heartbeat's answer tell us to rejoin. */
            coordinator_lost(m, "session timeout");
            return;
        }
        if (now >= m->next_heartbeat && send_simple(m, GROUP_API_HEARTBEAT))
            coordinator_lost(m, "cannot send Heartbeat");
        return;
    default:
        return;
    }
}

int group_member_next_timeout_ms(group_member *m)
{
    if (m->inflight_api >= 0)
        return 0;
    int64_t now = member_now_ms(), due;
    switch (m->phase) {
    case PH_DISCOVER:
    case PH_NEED_JOIN: due = m->next_action; break;
    case PH_STABLE: due = m->rejoin_pending ? now : m->next_heartbeat; break;
    case PH_LEFT:
    case PH_CLOSED: return 60000;
    default: due = now; break;
    }
    return due <= now ? 0 : (int)(due - now > 60000 ? 60000 : due - now);
}

int group_member_poll(group_member *m, int timeout_ms, char *errstr, size_t errstr_size)
{
    int64_t deadline = member_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    m->delivered = false;
    m->has_err = false;
    for (;;) {
        if (m->phase == PH_LEFT || m->phase == PH_CLOSED)
            break;
        int64_t now = member_now_ms();
        if (m->inflight_api < 0)
            step(m, now);
        if (m->delivered)
            break;
        now = member_now_ms();
        int wait = deadline > now ? (int)(deadline - now) : 0;
        if (m->inflight_api >= 0) {
            const uint8_t *body;
            size_t len;
            int rc = member_pump(m, wait, &body, &len);
            if (rc < 0)
                coordinator_lost(m, "connection lost or request timed out");
            else if (rc > 0)
                dispatch(m, body, len);
        } else {
            int idle = group_member_next_timeout_ms(m);
            if (idle > wait)
                idle = wait;
            if (idle > 0) {
                struct timespec ts = {idle / 1000, (long)(idle % 1000) * 1000000L};
                nanosleep(&ts, NULL);
            }
        }
        if (m->delivered || member_now_ms() >= deadline)
            break;
    }
    if (m->has_err) {
        snprintf(errstr, errstr_size, "%s", m->err);
        return -1;
    }
    return 0;
}

void group_member_request_rejoin(group_member *m)
{
    if (m->phase == PH_CLOSED)
        return;
    if (m->phase == PH_LEFT) {
        m->phase = PH_DISCOVER;
        m->next_action = 0;
        return;
    }
    m->rejoin_pending = true;
}

int group_member_leave(group_member *m, int timeout_ms)
{
    if (m->phase == PH_LEFT || m->phase == PH_CLOSED)
        return 0;
    int rc = 0;
    if (m->member_id[0] && m->coord_host) {
        rc = -1;
        int64_t deadline = member_now_ms() + timeout_ms;
        /* A request in flight (maybe a JoinGroup parked for the rebalance timeout) would hold
         * the answer back: start over on a fresh connection. */
        if (m->inflight_api >= 0 || !m->versions_known) {
            char *host = strdup(m->coord_host);
            member_disconnect(m);
            if (host && member_connect(m, host, m->coord_port) == 0 &&
                send_api_versions(m) == 0) {
                const uint8_t *body;
                size_t len;
                int got = 0;
                while (got == 0 && member_now_ms() < deadline)
                    got = member_pump(m, (int)(deadline - member_now_ms()), &body, &len);
                group_api_versions_resp r;
                if (got > 0 && group_resp_api_versions(body, len, m->inflight_ver, &r) == 0) {
                    m->versions = r.versions;
                    m->versions_known = true;
                }
                m->inflight_api = -1;
            }
            free(host);
        }
        if (m->versions_known && send_simple(m, GROUP_API_LEAVE_GROUP) == 0) {
            const uint8_t *body;
            size_t len;
            int got = 0;
            while (got == 0 && member_now_ms() < deadline)
                got = member_pump(m, (int)(deadline - member_now_ms()), &body, &len);
            group_simple_resp r;
            if (got > 0 && group_resp_leave_group(body, len, m->inflight_ver, &r) == 0) {
                rc = 0;
                if (r.error)
                    LOG_INFO(LG, "group %s: LeaveGroup: %s", m->cfg.group_id,
                             group_err_name(r.error));
            }
        }
        LOG_INFO(LG, "group %s: member %s left the group", m->cfg.group_id, m->member_id);
    }
    member_disconnect(m);
    free(m->coord_host);
    m->coord_host = NULL;
    set_str(&m->member_id, "");
    m->generation = -1;
    m->was_stable = false;
    m->rejoin_pending = false;
    m->phase = PH_LEFT;
    return rc;
}

void group_member_close(group_member *m, int timeout_ms)
{
    if (m->phase != PH_CLOSED)
        group_member_leave(m, timeout_ms);
    m->phase = PH_CLOSED;
}

void group_member_destroy(group_member *m)
{
    if (!m)
        return;
    if (m->tp) {
        group_member_close(m, 0);
        group_transport_destroy(m->tp);
    }
    free((char *)m->cfg.group_id);
    free((char *)m->cfg.bootstrap_servers);
    free((char *)m->cfg.client_id);
    free((char *)m->cfg.protocol_type);
    free_protos(m->protos, m->n_protos);
    free(m->coord_host);
    free(m->member_id);
    free(m->leader_id);
    free(m->protocol);
    free(m->tx);
    free(m->rx);
    free(m);
}

group_member_state group_member_get_state(const group_member *m)
{
    switch (m->phase) {
    case PH_JOINING:
    case PH_SYNCING: return GROUP_MEMBER_REBALANCING;
    case PH_STABLE: return GROUP_MEMBER_STABLE;
    case PH_LEFT: return GROUP_MEMBER_LEFT;
    case PH_CLOSED: return GROUP_MEMBER_CLOSED;
    default: return GROUP_MEMBER_UNJOINED;
    }
}

int32_t group_member_generation(const group_member *m) { return m->generation; }
const char *group_member_id(const group_member *m) { return m->member_id; }
const char *group_member_leader_id(const group_member *m) { return m->leader_id; }
const char *group_member_protocol(const group_member *m) { return m->protocol; }

bool group_member_is_leader(const group_member *m)
{
    return m->member_id[0] && strcmp(m->member_id, m->leader_id) == 0;
}

int64_t group_member_coordinator_silence_ms(const group_member *m)
{
    if (m->last_coord_ok < 0)
        return -1;
    return member_now_ms() - m->last_coord_ok;
}
