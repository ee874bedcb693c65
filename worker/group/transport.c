/* group/transport.c: the plaintext TCP transport for the membership client: non-blocking
 * socket, connect/send/recv bounded by poll() timeouts. */
#include "group/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct tcp_transport {
    group_transport base;
    int fd;
} tcp_transport;

static void tcp_close(group_transport *t)
{
    tcp_transport *tt = (tcp_transport *)t;
    if (tt->fd >= 0)
        close(tt->fd);
    tt->fd = -1;
}

static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    for (;;) {
        int rc = poll(&pfd, 1, timeout_ms < 0 ? 0 : timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue; /* a signal is not a timeout; the caller's budget is approximate */
        return rc;
    }
}

static int tcp_connect(group_transport *t, const char *host, int port, int timeout_ms,
                       char *errstr, size_t errstr_size)
{
    tcp_transport *tt = (tcp_transport *)t;
    tcp_close(t);
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(errstr, errstr_size, "resolve %s:%d: %s", host, port, gai_strerror(gai));
        return -1;
    }
    int err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            tt->fd = fd;
            break;
        }
        if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, timeout_ms) > 0) {
            socklen_t sl = sizeof(err);
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == 0 && err == 0) {
                tt->fd = fd;
                break;
            }
        } else {
            err = errno == EINPROGRESS ? ETIMEDOUT : errno;
        }
        close(fd);
    }
    freeaddrinfo(res);
    if (tt->fd < 0) {
        snprintf(errstr, errstr_size, "connect %s:%d: %s", host, port, strerror(err));
        return -1;
    }
    return 0;
}

static ssize_t tcp_send(group_transport *t, const void *buf, size_t len, int timeout_ms)
{
    tcp_transport *tt = (tcp_transport *)t;
    if (tt->fd < 0)
        return -1;
    for (int waited = 0;; waited = 1) {
        ssize_t n = send(tt->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || waited)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        int rc = wait_fd(tt->fd, POLLOUT, timeout_ms);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return 0;
    }
}

static ssize_t tcp_recv(group_transport *t, void *buf, size_t cap, int timeout_ms)
{
    tcp_transport *tt = (tcp_transport *)t;
    if (tt->fd < 0)
        return -1;
    for (int waited = 0;; waited = 1) {
        ssize_t n = recv(tt->fd, buf, cap, 0);
        if (n > 0)
            return n;
        if (n == 0)
            return -1; /* peer closed */
        if (errno == EINTR)
            continue;
        if ((errno != EAGAIN && errno != EWOULDBLOCK))
            return -1;
        if (waited || timeout_ms <= 0)
            return 0;
        int rc = wait_fd(tt->fd, POLLIN, timeout_ms);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return 0;
    }
}

static void tcp_destroy(group_transport *t)
{
    tcp_close(t);
    free(t);
}

static const group_transport_ops tcp_ops = {
    .connect = tcp_connect,
    .send = tcp_send,
    .recv = tcp_recv,
    .close = tcp_close,
    .destroy = tcp_destroy,
};

group_transport *group_transport_tcp_new(void)
{
    tcp_transport *tt = calloc(1, sizeof(*tt));
    if (!tt)
        return NULL;
    tt->base.ops = &tcp_ops;
    tt->fd = -1;
    return &tt->base;
}

int group_transport_connect(group_transport *t, const char *host, int port, int timeout_ms,
                            char *errstr, size_t errstr_size)
{
    return t->ops->connect(t, host, port, timeout_ms, errstr, errstr_size);
}

ssize_t group_transport_send(group_transport *t, const void *buf, size_t len, int timeout_ms)
{
    return t->ops->send(t, buf, len, timeout_ms);
}

ssize_t group_transport_recv(group_transport *t, void *buf, size_t cap, int timeout_ms)
{
    return t->ops->recv(t, buf, cap, timeout_ms);
}

void group_transport_close(group_transport *t)
{
    t->ops->close(t);
}

void group_transport_destroy(group_transport *t)
{
    if (t)
        t->ops->destroy(t);
}
