/* plugins/datagen/rng.c: splitmix64 with seeding by (seed, stream, item), uniform integers
 * without modulo bias, doubles, and an entropy source for unseeded connectors. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"

/* splitmix64's finaliser: a bijection that spreads every input bit over the output. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

dg_rng dg_rng_seed(uint64_t seed, uint64_t a, uint64_t b)
{
    /* Chained mixing (not a plain xor) so that (a, b) and (b, a) differ. */
    uint64_t s = mix64(seed ^ 0x5851f42d4c957f2dULL);
    s = mix64(s ^ (a + 0x9e3779b97f4a7c15ULL));
    s = mix64(s ^ (b + 0xd1b54a32d192ed03ULL));
    return (dg_rng){.state = s};
}

uint64_t dg_rng_next(dg_rng *r)
{
    r->state += 0x9e3779b97f4a7c15ULL;
    return mix64(r->state);
}

uint64_t dg_rng_below(dg_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Reject the top partial block of 2^64 so every residue is equally likely. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    for (;;) {
        uint64_t x = dg_rng_next(r);
        if (x < limit)
            return x % n;
    }
}

int64_t dg_rng_range(dg_rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    /* The span fits in uint64 even for [INT64_MIN, INT64_MAX). */
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    return (int64_t)((uint64_t)lo + dg_rng_below(r, span));
}

double dg_rng_double(dg_rng *r)
{
    return (double)(dg_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t dg_rng_entropy(void)
{
    uint64_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, &v, sizeof(v));
        close(fd);
        if (n == (ssize_t)sizeof(v))
            return v;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return mix64((uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
                 ((uint64_t)getpid() << 32));
}
