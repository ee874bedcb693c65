/* group/member_io.c: the membership client's connection handling: bootstrap list, connect via
 * the transport, and framing of the single request/response in flight. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "group/member_internal.h"
#include "util/log.h"

/* A response bigger than this is taken as a corrupt or hostile frame (group responses carry
 * member metadata only: kilobytes). */
#define MEMBER_MAX_FRAME (64 * 1024 * 1024)

int64_t member_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int member_connect(group_member *m, const char *host, int port)
{
    char errstr[256];
    member_disconnect(m);
    if (group_transport_connect(m->tp, host, port, m->cfg.connect_timeout_ms, errstr,
                                sizeof(errstr))) {
        LOG_WARN("group", "group %s: %s", m->cfg.group_id, errstr);
        return -1;
    }
    m->connected = true;
    return 0;
}

void member_disconnect(group_member *m)
{
    if (m->connected)
        group_transport_close(m->tp);
    m->connected = false;
    m->versions_known = false;
    m->inflight_api = -1;
    free(m->tx);
    m->tx = NULL;
    m->tx_len = m->tx_off = 0;
    m->rx_len = 0;
    m->rx_need = 0;
}

int member_next_bootstrap(group_member *m, char **host, int *port)
{
    /* Count the entries, then take entry boot_idx % count. */
    const char *list = m->cfg.bootstrap_servers;
    size_t count = 1;
    for (const char *p = list; *p; p++)
        if (*p == ',')
            count++;
    size_t want = m->boot_idx++ % count;
    const char *start = list;
    for (size_t i = 0; i < want; i++)
        start = strchr(start, ',') + 1;
    const char *stop = strchr(start, ',');
    size_t n = stop ? (size_t)(stop - start) : strlen(start);
    while (n && (*start == ' ' || *start == '\t')) {
        start++;
        n--;
    }
    while (n && (start[n - 1] == ' ' || start[n - 1] == '\t'))
        n--;
    const char *scheme = memmem(start, n, "://", 3);
    if (scheme) {
        n -= (size_t)(scheme + 3 - start);
        start = scheme + 3;
    }
    const char *colon = NULL;
    for (size_t i = n; i-- > 0;)
        if (start[i] == ':') {
            colon = start + i;
            break;
        }
    if (!colon || colon == start)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (end != start + n || p <= 0 || p > 65535)
        return -1;
    const char *h = start;
    size_t hl = (size_t)(colon - start);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') { /* [v6 address] */
        h++;
        hl -= 2;
    }
    *host = strndup(h, hl);
    *port = (int)p;
    return *host ? 0 : -1;
}

int member_send(group_member *m, wire_buf *b, int16_t api, int16_t ver, int32_t corr,
                int timeout_ms)
{
    size_t len;
    uint8_t *bytes = wire_buf_steal(b, &len);
    if (!bytes)
        return -1;
    free(m->tx);
    m->tx = bytes;
    m->tx_len = len;
    m->tx_off = 0;
    m->inflight_api = api;
    m->inflight_ver = ver;
    m->inflight_corr = corr;
    m->inflight_deadline = member_now_ms() + timeout_ms;
    m->rx_len = 0;
    m->rx_need = 0;
    return 0;
}

static int rx_reserve(group_member *m, size_t need)
{
    if (need <= m->rx_cap)
        return 0;
    size_t cap = m->rx_cap ? m->rx_cap : 4096;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(m->rx, cap);
    if (!p)
        return -1;
    m->rx = p;
    m->rx_cap = cap;
    return 0;
}

int member_pump(group_member *m, int wait_ms, const uint8_t **body, size_t *len)
{
    if (!m->connected || m->inflight_api < 0)
        return -1;
    int64_t now = member_now_ms();
    if (now >= m->inflight_deadline) {
        LOG_WARN("group", "group %s: request (api %d) timed out", m->cfg.group_id,
                 m->inflight_api);
        return -1;
    }
    int64_t left = m->inflight_deadline - now;
    if (wait_ms > left)
        wait_ms = (int)left;
    while (m->tx_off < m->tx_len) {
        ssize_t n = group_transport_send(m->tp, m->tx + m->tx_off, m->tx_len - m->tx_off, wait_ms);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        m->tx_off += (size_t)n;
    }
    for (;;) {
        size_t want = m->rx_need ? m->rx_need + 4 : 4;
        if (m->rx_len == want) {
            if (!m->rx_need) {
                uint32_t sz = ((uint32_t)m->rx[0] << 24) | ((uint32_t)m->rx[1] << 16) |
                              ((uint32_t)m->rx[2] << 8) | m->rx[3];
                if (sz < 4 || sz > MEMBER_MAX_FRAME) {
                    LOG_WARN("group", "group %s: bad response frame size %u", m->cfg.group_id,
                             sz);
                    return -1;
                }
                m->rx_need = sz;
                continue;
            }
            wire_rd r;
            int32_t corr;
            wire_rd_init(&r, m->rx + 4, m->rx_need);
            /* Every response we read uses header v0 (ApiVersions always does, and the other
             * APIs are spoken in non-flexible versions). */
            if (wire_read_response_header(&r, 0, &corr) || corr != m->inflight_corr) {
                LOG_WARN("group", "group %s: response correlation id mismatch", m->cfg.group_id);
                return -1;
            }
            *body = m->rx + 4 + r.off;
            *len = m->rx_need - r.off;
            m->rx_len = 0;
            m->rx_need = 0;
            return 1;
        }
        if (rx_reserve(m, want))
            return -1;
        ssize_t n = group_transport_recv(m->tp, m->rx + m->rx_len, want - m->rx_len, wait_ms);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        m->rx_len += (size_t)n;
        wait_ms = 0; /* we had progress; only block once per pump */
    }
}
