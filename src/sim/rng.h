/* The simulator's own PRNG (xoshiro256**, seeded by splitmix64): the same seed
 * gives the same run on every platform. */
#ifndef VT_SIM_RNG_H
#define VT_SIM_RNG_H

#include <math.h>
#include <stdint.h>

struct vt_sim_rng {
	uint64_t s[4];
};

static inline uint64_t vt_sim_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A stateless hash of a value (for values that must not depend on draw order). */
static inline uint64_t vt_sim_hash(uint64_t x)
{
	return vt_sim_splitmix(&x);
}

static inline void vt_sim_rng_seed(struct vt_sim_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = vt_sim_splitmix(&seed);
}

static inline uint64_t vt_sim_rng_next(struct vt_sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t result = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return result;
}

/* Uniform in [0, 1). */
static inline double vt_sim_rng_unit(struct vt_sim_rng *r)
{
	return (double)(vt_sim_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Exponential with the given mean, at least 1. */
static inline uint64_t vt_sim_rng_exp(struct vt_sim_rng *r, double mean)
{
	/* u in (0, 1]: log never sees 0 */
	double u = (double)((vt_sim_rng_next(r) >> 11) + 1) * 0x1.0p-53;
	double v = -log(u) * mean;
	return v < 1 ? 1 : (uint64_t)v;
}

/* mean * [1 - spread, 1 + spread), at least 1. */
static inline uint64_t vt_sim_rng_around(struct vt_sim_rng *r, double mean, double spread)
{
	double v = mean * (1 - spread + 2 * spread * vt_sim_rng_unit(r));
	return v < 1 ? 1 : (uint64_t)v;
}

#endif
