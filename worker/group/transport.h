/* group/transport.h: the byte stream the membership client talks over, as a small vtable so
 * TLS or SASL can replace the plaintext TCP implementation without touching the protocol code. */
#ifndef SLUICE_GROUP_TRANSPORT_H
#define SLUICE_GROUP_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

typedef struct group_transport group_transport;

/* An implementation fills this table. All calls on one transport come from one thread (the
 * member's owner); a transport holds at most one connection at a time. */
typedef struct group_transport_ops {
    /* Open a connection to host:port, waiting at most timeout_ms. Returns 0, or -1 with the
     * reason in errstr. Closes any previous connection first. */
    int (*connect)(group_transport *t, const char *host, int port, int timeout_ms, char *errstr,
                   size_t errstr_size);
    /* Write up to len bytes, waiting at most timeout_ms for the socket to accept some.
     * Returns the bytes written (may be fewer than len), 0 on timeout, -1 on error. */
    ssize_t (*send)(group_transport *t, const void *buf, size_t len, int timeout_ms);
    /* Read up to cap bytes, waiting at most timeout_ms (0 = do not wait) for some to arrive.
     * Returns the bytes read, 0 on timeout, -1 on error or when the peer closed. */
    ssize_t (*recv)(group_transport *t, void *buf, size_t cap, int timeout_ms);
    /* Close the connection (if any); the transport may connect again. */
    void (*close)(group_transport *t);
    /* Close and free the transport. */
    void (*destroy)(group_transport *t);
} group_transport_ops;

/* Every implementation's struct starts with this base. */
struct group_transport {
    const group_transport_ops *ops;
};

/* A plaintext TCP transport (IPv4/IPv6 via getaddrinfo, TCP_NODELAY). Returns NULL on
 * allocation failure. Caller owns it; free with group_transport_destroy(). */
group_transport *group_transport_tcp_new(void);

/* Wrappers over the vtable; destroy(NULL) is a no-op. */
int group_transport_connect(group_transport *t, const char *host, int port, int timeout_ms,
                            char *errstr, size_t errstr_size);
ssize_t group_transport_send(group_transport *t, const void *buf, size_t len, int timeout_ms);
ssize_t group_transport_recv(group_transport *t, void *buf, size_t cap, int timeout_ms);
void group_transport_close(group_transport *t);
void group_transport_destroy(group_transport *t);

#endif
