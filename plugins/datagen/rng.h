/* plugins/datagen/rng.h: the datagen plugin's random numbers: a small counter-seeded generator
 * (splitmix64), so that record n of a seed can be regenerated without replaying records 0..n-1. */
#ifndef SLUICE_PLUGINS_DATAGEN_RNG_H
#define SLUICE_PLUGINS_DATAGEN_RNG_H

#include <stdint.h>

/* A generator's whole state: plain data, copied freely. One user at a time (no locking). */
typedef struct dg_rng {
    uint64_t state;
} dg_rng;

/* A generator for stream `a`, item `b` of `seed`: distinct (seed, a, b) give independent
 * streams. Used as dg_rng_seed(seed, record index, 0) so output never depends on history. */
dg_rng dg_rng_seed(uint64_t seed, uint64_t a, uint64_t b);

/* The next 64 random bits. */
uint64_t dg_rng_next(dg_rng *r);

/* Uniform in [0, n); 0 when n is 0. Unbiased (rejection sampling). */
uint64_t dg_rng_below(dg_rng *r, uint64_t n);

/* Uniform in [lo, hi) for lo < hi; lo when hi <= lo. The full int64 range works. */
int64_t dg_rng_range(dg_rng *r, int64_t lo, int64_t hi);

/* Uniform double in [0, 1). */
double dg_rng_double(dg_rng *r);

/* A seed nobody chose: from /dev/urandom, else the clock and pid mixed. */
uint64_t dg_rng_entropy(void);

#endif
